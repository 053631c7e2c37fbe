"""Editorial roles as Django auth groups, kept in sync after every `migrate`.

- **Viewers** read everything in the admin, drafts included, and change nothing.
- **Editors** also add and change records: they create and edit drafts, add claims, sources and
  citations, and correct or retract claims (a correction adds a claim; nothing is overwritten).
- **Publishers** also publish and unpublish incidents and delete records, each deletion with a
  reason that is kept in the history and the changes feed.

Nobody but publishers deletes anything, not even a citation: a wrong citation is corrected (its
source or quote changed, with a reason), so what the record once said stays in its history.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission

VIEWERS = "Viewers"
EDITORS = "Editors"
PUBLISHERS = "Publishers"

# The name a user gives on the command line, and the auth group it stands for.
ROLES = {"viewer": VIEWERS, "editor": EDITORS, "publisher": PUBLISHERS}

CURATED_APPS = ("sources", "groups", "claims")

PUBLISH = ("claims", "publish_incident")

ACTIONS = {
    VIEWERS: ("view",),
    EDITORS: ("view", "add", "change"),
    PUBLISHERS: ("view", "add", "change", "delete"),
}


def curated_models():
    for label in CURATED_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def role_codenames(role: str) -> set[tuple[str, str]]:
    """The exact (app label, codename) permissions a role holds."""
    held = {
        (model._meta.app_label, f"{action}_{model._meta.model_name}")
        for model in curated_models()
        for action in ACTIONS[role]
    }
    if role == PUBLISHERS:
        held.add(PUBLISH)
    return held


def role_permissions(role: str) -> list[Permission]:
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in sorted(role_codenames(role))
    ]


def sync_roles(verbosity: int = 0) -> list[AuthGroup]:
    for label in CURATED_APPS:
        create_permissions(apps.get_app_config(label), verbosity=verbosity)
    groups = []
    for role in ACTIONS:
        group, _ = AuthGroup.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role))
        groups.append(group)
    return groups


def sync_roles_after_migrate(sender, using="default", verbosity=0, plan=None, **kwargs):
    sync_roles(verbosity=verbosity)


def can_publish(user) -> bool:
    return user is not None and user.has_perm(".".join(PUBLISH))

"""Editorial roles as Django auth groups, kept in sync after every `migrate`.

Editors curate: they view, add and change every curated record. They delete only the link rows
they enter alongside (aliases and citations); removing a group, brand, source, location, incident
or claim is for staff with more rights, so that sourced facts are not lost by accident.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission

EDITORS = "Editors"

CURATED_APPS = ("sources", "groups", "claims")

# Models whose rows editors may delete: links entered alongside a record, not facts of their own.
EDITOR_DELETABLE = {
    "groups.alias",
    "groups.groupcitation",
    "groups.brandcitation",
    "groups.affiliationcitation",
    "groups.relationcitation",
    "groups.channelcitation",
    "claims.locationcitation",
    "claims.incidentcitation",
    "claims.claimcitation",
}


def curated_models():
    for label in CURATED_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def editor_permissions():
    """The exact set of permissions the Editors role holds."""
    codenames = []
    for model in curated_models():
        opts = model._meta
        actions = ["view", "add", "change"]
        if opts.label_lower in EDITOR_DELETABLE:
            actions.append("delete")
        codenames += [(opts.app_label, f"{action}_{opts.model_name}") for action in actions]
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in codenames
    ]


def sync_roles(verbosity: int = 0):
    for label in CURATED_APPS:
        create_permissions(apps.get_app_config(label), verbosity=verbosity)
    editors, _ = AuthGroup.objects.get_or_create(name=EDITORS)
    editors.permissions.set(editor_permissions())
    return [editors]


def sync_roles_after_migrate(sender, using="default", verbosity=0, plan=None, **kwargs):
    sync_roles(verbosity=verbosity)

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from kb.roles import ROLES


class Command(BaseCommand):
    help = (
        "Add a user to an editorial role (viewer, editor or publisher), or remove them with "
        "--remove. Members of a role are staff, so they can sign in to the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(ROLES))
        parser.add_argument(
            "--create",
            action="store_true",
            help="Create the user if missing (without a password: set one with changepassword).",
        )
        parser.add_argument("--remove", action="store_true", help="Take the user out of the role.")

    def handle(self, *args, username, role, create, remove, **options):
        users = get_user_model()
        group = Group.objects.get(name=ROLES[role])
        try:
            user = users.objects.get_by_natural_key(username)
        except users.DoesNotExist:
            if not create or remove:
                raise CommandError(f"No user {username!r}; add --create to create one.") from None
            user = users.objects.create_user(username)
            self.stdout.write(
                f"Created {username!r} without a password; "
                f"set one with: manage.py changepassword {username}"
            )
        if remove:
            user.groups.remove(group)
            self.stdout.write(self.style.SUCCESS(f"{username} is no longer in {group.name}."))
            in_a_role = user.groups.filter(name__in=ROLES.values()).exists()
            if user.is_staff and not in_a_role and not user.is_superuser:
                # Staff see drafts and the admin: without a role, they are a reader again.
                user.is_staff = False
                user.save(update_fields=["is_staff"])
                self.stdout.write(f"{username} holds no role any more and is no longer staff.")
        else:
            user.groups.add(group)
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            self.stdout.write(self.style.SUCCESS(f"{username} is now in {group.name}."))
        held = ", ".join(user.groups.order_by("name").values_list("name", flat=True)) or "none"
        self.stdout.write(f"{username}'s roles: {held}")

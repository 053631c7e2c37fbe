import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from kb.roles import EDITORS, PUBLISHERS

ACCOUNTS = (("editor", EDITORS), ("publisher", PUBLISHERS))


class Command(BaseCommand):
    help = (
        "For local use (DEBUG only): create or reset an 'editor' account (Editors) and a "
        "'publisher' account (Publishers), each with a fresh random password, and print them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", default=None, help="Port shown in the sign-in URL.")

    def handle(self, *args, port, **options):
        if not settings.DEBUG:
            raise CommandError("demo_editor is for local development only (DEBUG=1).")
        lines = [f"\nSign in at http://127.0.0.1:{port or '8000'}/admin/"]
        for username, role in ACCOUNTS:
            password = secrets.token_urlsafe(12)
            user, _ = get_user_model().objects.get_or_create(username=username)
            user.is_staff = True
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            lines.append(f"    {role}: username {username}, password {password}")
        lines.append("(new passwords are set each time `make run` starts)\n")
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))

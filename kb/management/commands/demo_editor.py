import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from kb.roles import EDITORS


class Command(BaseCommand):
    help = (
        "For local use (DEBUG only): create or reset the 'editor' account in the Editors role "
        "with a fresh random password, and print how to sign in."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")
        parser.add_argument("--port", default=None, help="Port shown in the sign-in URL.")

    def handle(self, *args, username, port, **options):
        if not settings.DEBUG:
            raise CommandError("demo_editor is for local development only (DEBUG=1).")
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.is_staff = True
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=EDITORS))
        port = port or "8000"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nSign in as an editor at http://127.0.0.1:{port}/admin/\n"
                f"    username: {username}\n    password: {password}\n"
                "(a new password is set each time `make run` starts)\n"
            )
        )

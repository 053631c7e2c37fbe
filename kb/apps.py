from django.apps import AppConfig
from django.db.models.signals import post_migrate


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"

    def ready(self):
        from kb.roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, sender=self)

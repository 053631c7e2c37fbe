from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"

    def ready(self):
        from kb.roles import sync_roles_after_migrate
        from kb.signin import forget_own_failures

        post_migrate.connect(sync_roles_after_migrate, sender=self)
        user_logged_in.connect(forget_own_failures, dispatch_uid="kb.signin.forget_own_failures")

from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = "Changes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import pre_delete
        from simple_history.signals import post_create_historical_record

        from changes.recorder import on_history_record, on_pre_delete

        post_create_historical_record.connect(on_history_record, dispatch_uid="changes.record")
        pre_delete.connect(on_pre_delete, dispatch_uid="changes.deletion_reason")

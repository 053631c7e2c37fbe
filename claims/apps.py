from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Incidents and claims"

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_save

        from claims import derived
        from claims.models import Claim, Incident, Location

        # The incidents' derived fields follow every save (claims.derived).
        pre_save.connect(derived.claim_moving, sender=Claim, dispatch_uid="derived.claim_moving")
        post_save.connect(derived.claim_saved, sender=Claim, dispatch_uid="derived.claim_saved")
        post_delete.connect(derived.claim_deleted, sender=Claim, dispatch_uid="derived.claim_gone")
        pre_save.connect(derived.incident_moving, sender=Incident, dispatch_uid="derived.moving")
        post_save.connect(derived.incident_saved, sender=Incident, dispatch_uid="derived.incident")
        post_delete.connect(derived.incident_deleted, sender=Incident, dispatch_uid="derived.gone")
        post_save.connect(derived.location_saved, sender=Location, dispatch_uid="derived.location")

"""A file a publisher uploaded in the admin, kept between its preview and its confirmation.

The confirmation imports exactly the bytes that were previewed: the browser does not send the file
again and no hidden form field carries it. The file is kept in the database rather than in the
session, because the session is read on every admin request and a file may be megabytes; a row is
read only by the confirmation, belongs to its uploader, and is deleted once confirmed, refused, or
older than `PendingImport.KEPT`.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


class PendingImport(models.Model):
    """An uploaded CSV file waiting for its uploader to confirm the import previewed from it."""

    KEPT = datetime.timedelta(days=1)

    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_imports"
    )
    table = models.CharField(max_length=40)
    reason = models.TextField(help_text="Recorded in the history of every row the import writes.")
    filename = models.CharField(
        max_length=255, blank=True, help_text="As the uploader's browser named the file."
    )
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "pending import"
        indexes = [models.Index(fields=["created"])]

    def __str__(self):
        return f"{self.table} from {self.filename or 'an upload'} ({self.uploader})"

    @classmethod
    def keep(cls, *, uploader, table: str, reason: str, filename: str, content: bytes):
        """Store an upload for its preview and confirmation, after purging expired ones."""
        cls.purge()
        return cls.objects.create(
            uploader=uploader,
            table=table,
            reason=reason,
            filename=filename[:255],
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
        )

    @classmethod
    def purge(cls) -> int:
        """Delete the uploads nobody confirmed within `KEPT`."""
        deleted, _ = cls.objects.filter(created__lt=timezone.now() - cls.KEPT).delete()
        return deleted

"""Import a table in the admin: upload, preview, confirm (publishers only).

The upload is imported with `dry_run=True` and the preview shows what the import would create,
update and leave unchanged, the likely duplicate incidents and every error; nothing is written.
With no error, the uploader confirms: the same bytes, kept server-side (`PendingImport`), are
imported again, for real, as a new run that validates everything again, so a change made to the
data in between is checked too. The history rows it writes carry the uploader and the reason given
at upload; no file name or server path is recorded.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from exchange.importing import TABLES, run_import
from exchange.models import PendingImport
from kb.roles import can_publish

SHOWN_ACTIONS = 200  # rows of the preview's list of per-row actions


# --- The upload ----------------------------------------------------------------------------------


def unreadable(content: bytes) -> str:
    """Why the bytes are not a UTF-8 text file the importer can read ('' if they are)."""
    save_as = "Save it from your spreadsheet as “CSV UTF-8” and upload it again."
    if b"\x00" in content:
        line = content[: content.index(b"\x00")].count(b"\n") + 1
        return (
            f"This is not a UTF-8 text file: line {line} holds a NUL byte (a spreadsheet, an "
            f"archive or an image, or text saved as UTF-16?). {save_as}"
        )
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        byte = content[error.start]
        return (
            f"This file is not UTF-8: line {line} holds the byte 0x{byte:02X}, which is not UTF-8 "
            f"(Windows-1252 or Latin-1?). {save_as}"
        )
    return ""


class ImportForm(forms.Form):
    table = forms.ChoiceField(help_text="Which table the file holds rows of (see the codebook).")
    file = forms.FileField(
        label="CSV file",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="UTF-8, with or without a byte-order mark; the first line is the header.",
    )
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80, "dir": "auto"}),
        help_text="Recorded in the history of every record the import writes, with your name, "
        "and shown in the public change log.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["table"].choices = [(name, name) for name in TABLES]
        limit = filesizeformat(settings.IMPORT_MAX_BYTES)
        self.fields["file"].help_text += f" At most {limit}."
        self.content = b""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"The file is {filesizeformat(upload.size)}; the admin imports files of at most "
                f"{filesizeformat(limit)}. Split it, or import it with manage.py import_csv.",
                code="too_big",
            )
        content = upload.read()
        problem = unreadable(content)
        if problem:
            raise ValidationError(problem, code="not_utf8")
        self.content = content
        return upload


# --- Views ---------------------------------------------------------------------------------------


def publisher_only(request):
    if not can_publish(request.user):
        raise PermissionDenied("Only publishers import tables.")


def page(request, template, title, **context):
    return TemplateResponse(
        request,
        template,
        {
            **admin.site.each_context(request),
            "title": title,
            "tables": TABLES,
            "limit": settings.IMPORT_MAX_BYTES,
            **context,
        },
    )


def import_table(request):
    """The upload form; on submit, the preview of what importing the file would do."""
    publisher_only(request)
    if request.method != "POST":
        return page(request, "admin/exchange/import.html", "Import a table", form=ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return page(request, "admin/exchange/import.html", "Import a table", form=form)
    data = form.cleaned_data
    pending = PendingImport.keep(
        uploader=request.user,
        table=data["table"],
        reason=data["reason"],
        filename=data["file"].name,
        content=form.content,
    )
    result = run_import(
        pending.table, form.content, reason=pending.reason, user=request.user, dry_run=True
    )
    confirmable = not result.error_count and bool(result.created or result.updated)
    if not confirmable:
        pending.delete()  # nothing to confirm
    return page(
        request,
        "admin/exchange/import_result.html",
        f"Preview: import into {pending.table}",
        pending=pending,
        result=result,
        preview=True,
        confirm_url=reverse("admin-import-confirm", args=[pending.pk]) if confirmable else "",
        shown_actions=SHOWN_ACTIONS,
    )


@require_POST
def confirm_import(request, pk):
    """Import a previewed file for real. Only its uploader may, once, within PendingImport.KEPT."""
    publisher_only(request)
    with transaction.atomic():
        # Locked: a second click waits, then finds the file gone, and imports nothing twice.
        pending = get_object_or_404(
            PendingImport.objects.select_for_update(),
            pk=pk,
            uploader=request.user,
            created__gte=timezone.now() - PendingImport.KEPT,
        )
        result = run_import(
            pending.table,
            bytes(pending.content),
            reason=pending.reason,
            user=request.user,
            dry_run=False,
        )
        pending.delete()
    return page(
        request,
        "admin/exchange/import_result.html",
        f"Imported into {pending.table}" if not result.error_count else "Nothing imported",
        pending=pending,
        result=result,
        preview=False,
        shown_actions=SHOWN_ACTIONS,
    )

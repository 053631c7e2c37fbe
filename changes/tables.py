import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from changes.models import Change
from kb.tables import KEY, KBTable, bdi


def shorten(text, limit=120):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field_changes(change, limit=120):
    """The changed fields as 'label: old → new', long values shortened."""

    def short(text):
        return shorten(text, limit)

    return format_html_join(
        "",
        '<li><span class="field">{}</span>: '
        '<del dir="auto">{}</del> → <ins dir="auto">{}</ins></li>',
        (
            (item["label"], short(item["old"]) or "—", short(item["new"]) or "—")
            for item in change.fields
        ),
    )


class ChangeTable(KBTable):
    at = tables.DateTimeColumn(
        format="Y-m-d H:i",
        verbose_name="When (UTC)",
        orderable=False,
        attrs={"td": {"class": "nowrap"}},
    )
    action = tables.Column(orderable=False)
    record = tables.Column(empty_values=(), orderable=False, verbose_name="Record", attrs=KEY)
    what = tables.Column(empty_values=(), orderable=False, verbose_name="What changed")
    reason = tables.Column(orderable=False, attrs={"td": {"dir": "auto"}})

    class Meta(KBTable.Meta):
        model = Change
        fields = ()
        sequence = ("at", "action", "record", "what", "reason")

    def render_action(self, record):
        return format_html('<span class="change-{}">{}</span>', record.action, record.action)

    def render_record(self, record):
        # Shortened as the changed values are: a label quoting a long address stays a few lines.
        label = format_html('{} <q dir="auto">{}</q>', record.record_type, shorten(record.label))
        if record.page and record.action != "deleted":
            label = format_html('<a href="{}">{}</a>', record.page, label)
        if not record.public:
            label = format_html('{} <span class="draft">draft</span>', label)
        return label

    def render_what(self, record):
        if not record.fields:
            return "—"
        return format_html('<ul class="changes">{}</ul>', field_changes(record))


class StaffChangeTable(ChangeTable):
    editor = tables.Column(accessor="user", orderable=False, verbose_name="Editor", default="—")

    def render_editor(self, value):
        return bdi(str(value))

    class Meta(ChangeTable.Meta):
        sequence = ("at", "action", "record", "what", "reason", "editor")

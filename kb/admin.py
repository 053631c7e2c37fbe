"""What every curated model's admin shares: a change reason recorded in the history, the history
view with field-by-field differences, and citation inlines with source autocomplete."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin


class ChangeReasonForm(forms.ModelForm):
    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=500,
        help_text="Recorded in the history with your name, e.g. 'corrected date per CENTCOM'.",
        widget=forms.TextInput(attrs={"size": 80}),
    )


class CuratedAdmin(SimpleHistoryAdmin):
    """Admin for a curated model: saves the editor's reason with each change, inlines included."""

    form = ChangeReasonForm
    save_on_top = True

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data.get("change_reason") or (
            "edited in admin" if change else "added in admin"
        )
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        reason = form.cleaned_data.get("change_reason") or f"edited with {form.instance}"
        for inline_form in formset.forms:
            inline_form.instance._change_reason = reason
        super().save_formset(request, form, formset, change)


class CitationInline(admin.TabularInline):
    """Sources cited for the record, each with its quote, locator and credibility."""

    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "quote", "locator", "credibility"]
    verbose_name = "cited source"
    verbose_name_plural = "cited sources"

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("widgets", {"quote": forms.Textarea(attrs={"rows": 2, "cols": 60})})
        return super().get_formset(request, obj, **kwargs)


def citation_inline(citation_model):
    """The citation inline for one concrete citation model."""
    return type(f"{citation_model.__name__}Inline", (CitationInline,), {"model": citation_model})

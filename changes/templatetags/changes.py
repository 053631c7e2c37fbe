from django import template

from changes.tables import field_changes as render_field_changes

register = template.Library()


@register.filter
def field_changes(change):
    """A change's fields as list items: label, old value struck through, new value."""
    return render_field_changes(change, limit=2000)

"""The form renderer (settings.FORM_RENDERER): Django's, with the widgets that render a template
of their own for every option (selects, checkboxes, radio buttons) rendered in Python instead,
to the same markup. A list page's filter form offers hundreds of options (every group and
brand): their templates took about half of the page's time.

A widget whose options use a template other than Django's own is rendered by its templates (and a
project template overriding one of these widgets' templates would be ignored: there is none)."""

from django.forms.renderers import DjangoTemplates
from django.template.defaultfilters import stringformat
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"
SELECT_OPTION = WIDGETS + "select_option.html"
INPUT_OPTIONS = {WIDGETS + "checkbox_option.html", WIDGETS + "radio_option.html"}
# radio.html and checkbox_select.html: multiple_input.html (and a line break, stripped).
MULTIPLE_INPUTS = {WIDGETS + "radio.html", WIDGETS + "checkbox_select.html"}
PYTHON_WIDGETS = MULTIPLE_INPUTS | {WIDGETS + "select.html"}


class Renderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if template_name in PYTHON_WIDGETS and widget is not None:
            options = {o["template_name"] for _, group, _ in widget["optgroups"] for o in group}
            if template_name == WIDGETS + "select.html" and options <= {SELECT_OPTION}:
                return mark_safe(select(widget).strip())  # as Django's renderer strips
            if template_name in MULTIPLE_INPUTS and options <= INPUT_OPTIONS:
                return mark_safe(multiple_input(widget).strip())
        return super().render(template_name, context, request)


def text(value) -> str:
    """`{{ value }}` in a template: localized, escaped unless safe."""
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def string(value) -> str:
    """`{{ value|stringformat:'s' }}` in a template."""
    formatted = stringformat(value, "s")
    return formatted if isinstance(value, SafeData) else conditional_escape(formatted)


def attrs(widget) -> str:
    """django/forms/widgets/attrs.html"""
    return "".join(
        f" {text(name)}" + ("" if value is True else f'="{string(value)}"')
        for name, value in widget["attrs"].items()
        if value is not False
    )


def select(widget) -> str:
    """django/forms/widgets/select.html, and select_option.html for each option."""
    parts = [f'<select name="{text(widget["name"])}"{attrs(widget)}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{text(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{string(option["value"])}"{attrs(option)}>'
                f"{text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def multiple_input(widget) -> str:
    """django/forms/widgets/multiple_input.html, and input_option.html for each option."""
    id_, class_ = widget["attrs"].get("id"), widget["attrs"].get("class")
    parts = [
        "<div",
        f' id="{text(id_)}"' if id_ else "",
        f' class="{text(class_)}"' if class_ else "",
        ">",
    ]
    for group, options, _ in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{text(group)}</label>")
        for option in options:
            parts.append(f"<div>\n    {input_option(option)}</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>\n")
    return "".join(parts)


def input_option(option) -> str:
    """checkbox_option.html or radio_option.html: input_option.html, and a line break."""
    value = option["value"]
    html = (
        f'<input type="{text(option["type"])}" name="{text(option["name"])}"'
        + ("" if value is None else f' value="{string(value)}"')
        + f"{attrs(option)}>\n"
    )
    if option["wrap_label"]:
        id_ = option["attrs"].get("id")
        label_for = f' for="{text(id_)}"' if id_ else ""
        html = f"<label{label_for}>{html} {text(option['label'])}</label>"
    return html + "\n\n"

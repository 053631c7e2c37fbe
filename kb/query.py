"""One strictness for the query string of every public page, export and JSON endpoint.

Before any parameter's value is looked at, the query string as a whole must be well formed: every
name is one the endpoint takes, a parameter that takes one value is given once, and names and
values are valid UTF-8 without control characters (NUL included). Django would otherwise turn
invalid UTF-8 into U+FFFD, keep only the last of repeated values, and ignore unknown names, each of
which silently changes what a reader asked for (`?contry=IQ` would list every country).

`refusals()` returns the problems by parameter name, for the endpoint to answer 400 in its own
format (an HTML page with its errors box, plain text for files, JSON for the charts).
"""

import re
from collections import Counter
from collections.abc import Iterable
from functools import wraps
from urllib.parse import unquote_to_bytes

from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

# C0 controls, DEL and C1 controls: never part of a name, a slug, a date or a search text.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def decoded_pairs(request) -> list[tuple[str, str | None]]:
    """The (name, value) pairs of the raw query string; a value (or name) that is not UTF-8 is
    None (the name then shown with replacement characters)."""
    raw = get_bytes_from_wsgi(request.META, "QUERY_STRING", "")
    pairs = []
    for chunk in raw.split(b"&"):
        if not chunk:
            continue
        name, _, value = chunk.partition(b"=")
        name_bytes = unquote_to_bytes(name.replace(b"+", b" "))
        value_bytes = unquote_to_bytes(value.replace(b"+", b" "))
        try:
            name_text = name_bytes.decode("utf-8")
        except UnicodeDecodeError:
            pairs.append((name_bytes.decode("utf-8", "replace"), None))
            continue
        try:
            pairs.append((name_text, value_bytes.decode("utf-8")))
        except UnicodeDecodeError:
            pairs.append((name_text, None))
    return pairs


def refusals(
    request, single: Iterable[str] = (), multi: Iterable[str] = ()
) -> dict[str, list[str]]:
    """What makes the request's query string unacceptable, by parameter name (empty if nothing).

    `single` names the parameters that take one value, `multi` those that may be repeated
    (`country=IQ&country=SY`); any other name is refused."""
    single, multi = set(single), set(multi)
    errors: dict[str, list[str]] = {}

    def refuse(name, message):
        if message not in errors.setdefault(name, []):
            errors[name].append(message)

    pairs = decoded_pairs(request)
    counts = Counter(name for name, _ in pairs)
    for name, value in pairs:
        if CONTROL.search(name):
            refuse(shown(name), "The parameter's name contains a control character.")
            continue
        if name not in single and name not in multi:
            accepted = ", ".join(sorted(single | multi)) or "no parameters"
            refuse(shown(name), f"Unknown parameter. This address takes: {accepted}.")
            continue
        if value is None:
            refuse(name, "Not valid UTF-8 text. Send the value in UTF-8, percent-encoded.")
        elif CONTROL.search(value):
            code = ord(CONTROL.search(value).group())
            refuse(name, f"Contains a control character (U+{code:04X}), which no value may hold.")
        if name in single and counts[name] > 1:
            refuse(name, f"Given {counts[name]} times; give it once.")
    return errors


def shown(name: str) -> str:
    """A name as it can be printed back: control characters as \\uXXXX escapes."""
    return CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", name) or "(no name)"


def error_lines(errors: dict[str, list[str]]) -> str:
    """The errors as one line per parameter, for plain-text answers."""
    return "\n".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())


def read_only(view):
    """A public view answers GET and HEAD, and any other method with 405 (before the CSRF check,
    which protects forms these views do not have)."""
    return csrf_exempt(require_safe(view))


def takes(*single: str, multi: Iterable[str] = ()):
    """View decorator for pages with a fixed set of parameters (most take none): any other query
    string is refused with a 400 page naming each problem, before the view runs."""

    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            errors = refusals(request, single, multi)
            if errors:
                return render(request, "bad_query.html", {"refused": errors}, status=400)
            return view(request, *args, **kwargs)

        return checked

    return decorator

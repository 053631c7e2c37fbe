"""Sign-in protection: what django-axes needs from this project (settings in kb/settings.py).

- `client_ip`: the address a failed sign-in is counted against. Without a proxy it is the
  connection's address (REMOTE_ADDR): X-Forwarded-For is sent by the client and proves nothing.
  Behind TRUSTED_PROXY_COUNT proxies that each append the address they received the request from,
  the client is the entry that many places from the right of X-Forwarded-For: entries further
  left came with the request and are whatever the client wrote. (django-ipware is not used: with
  its default strict matching, a chain one entry longer or shorter than configured is skipped and
  falls back to the proxy's own address, which every user shares.)
- `forget_own_failures`: a successful sign-in forgets the failures of that user from that
  address. Axes' AXES_RESET_ON_SUCCESS would also forget every failure from the address (against
  any account) and every failure against the account (from anywhere), so anyone with an account
  could reset their address's count, or a victim's sign-in reset the attacker's.
- `lockout_response`: the page a locked-out sign-in gets (HTTP 429 with Retry-After), in the
  admin's style: what happened, when to try again, whom to ask.
"""

import ipaddress

from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


def valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    remote = valid_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies == 0:
        return remote
    chain = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(chain) < proxies:
        # Not sent through every trusted proxy: only the connection's address is known.
        return remote
    return valid_ip(chain[-proxies]) or remote


def forget_own_failures(sender, request, user, **kwargs):
    """Connected to `user_logged_in` (kb.apps)."""
    if request is None:
        return
    AccessAttempt.objects.filter(
        username=user.get_username(), ip_address=get_client_ip_address(request)
    ).delete()


def lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request)
    # Every attempt during a lockout, this one included, starts the cool-off again.
    retry_at = request.axes_attempt_time + cool_off
    context = {
        **admin.site.each_context(request),
        "title": "Sign-in blocked",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": round(cool_off.total_seconds() / 60),
        "retry_at": retry_at,
    }
    response = render(
        request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response

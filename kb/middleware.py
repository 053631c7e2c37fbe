"""Response headers Django has no setting for.

- A Permissions-Policy header on every response: the browser features this site never uses are
  turned off, for its pages and anything they might embed.
- `Cache-Control: private` on every response to a signed-in user: staff pages show drafts and
  admin links, and no shared cache may keep them for the public. Anonymous responses are left as
  they are (cacheable, `Vary: Cookie`)."""

from django.conf import settings
from django.utils.cache import patch_cache_control


def permissions_policy(features) -> str:
    """`camera=(), microphone=()`: each feature allowed to no origin."""
    return ", ".join(f"{feature}=()" for feature in features)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY_DISABLED)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class PrivateForSignedInMiddleware:
    """After AuthenticationMiddleware. Reads the user only when a session cookie came with the
    request, so that an anonymous response is not changed (not even by a `Vary: Cookie`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES and (
            request.user.is_authenticated
        )
        if signed_in:
            patch_cache_control(response, private=True)
        return response

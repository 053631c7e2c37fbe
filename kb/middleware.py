"""A Permissions-Policy header on every response (Django has no setting for it): the browser
features this site never uses are turned off, for its pages and anything they might embed."""

from django.conf import settings


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

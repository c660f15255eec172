"""API authentication: the browser's session (with CSRF) or a bearer token for scripts."""

from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from fahuo.core.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        tok = (ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(token), revoked_at__isnull=True)
               .first())
        if tok is None or not tok.user.is_active:
            return None
        ApiToken.objects.filter(pk=tok.pk).update(last_used_at=timezone.now())
        request.user = tok.user
        return tok.user


class LoggedInSession(SessionAuth):
    """The browser's session. A request with no logged-in session is 401, not a CSRF 403: CSRF is only
    checked for a session that would otherwise be accepted."""

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


API_AUTH = [TokenAuth(), LoggedInSession(csrf=True)]

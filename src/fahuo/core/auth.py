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


API_AUTH = [TokenAuth(), SessionAuth(csrf=True)]

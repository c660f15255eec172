from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from fahuo.core.errors import InvalidInput, NotFound
from fahuo.core.models import ApiToken


@transaction.atomic
def create_token(*, user, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the plain key, which is shown once and never stored."""
    if not name.strip():
        raise InvalidInput("请给令牌起个名字 (a token needs a name)", code="name_required")
    key = ApiToken.new_key()
    tok = ApiToken.objects.create(user=user, name=name.strip()[:80], prefix=key[:8], digest=ApiToken.hash(key))
    return tok, key


@transaction.atomic
def revoke_token(*, user, token_id: int) -> None:
    n = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not n:
        raise NotFound("令牌不存在或已撤销 (token not found)", code="token_not_found")

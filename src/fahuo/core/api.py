"""The shop-wide API: who am I, today's counts, settings, API tokens, and the receiver-blob parser."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.contrib.auth import SESSION_KEY
from ninja import Path, Router, Schema
from pydantic import Field

from fahuo.core import permissions
from fahuo.core.errors import Forbidden
from fahuo.core.models import ApiToken, ShopSettings
from fahuo.core.schemas import MAX_ID, MAX_INT, READ_ERRORS, WRITE_ERRORS, Error, text

router = Router(tags=["core"])


class MeOut(Schema):
    username: str
    role: str
    role_label: str
    sees_pii: bool
    permissions: dict[str, bool]


class DashboardOut(Schema):
    review: int
    review_clean: int
    short: int
    held: int
    ready: int
    due_today: int
    overdue: int
    low_stock: int


class SettingsOut(Schema):
    shop_name: str
    promised_hours: int
    due_soon_hours: int
    low_stock_threshold: int
    no_pickup_hours: int
    stale_hours: int
    compensation_percent: Decimal
    compensation_min: Decimal
    compensation_max: Decimal


class SettingsIn(Schema):
    shop_name: text(100) | None = None
    promised_hours: int | None = Field(None, ge=-MAX_INT, le=MAX_INT, description="1–720")
    due_soon_hours: int | None = Field(None, ge=-MAX_INT, le=MAX_INT, description="1–72")
    low_stock_threshold: int | None = Field(None, ge=-MAX_INT, le=MAX_INT, description="≥ 0")
    no_pickup_hours: int | None = Field(None, ge=-MAX_INT, le=MAX_INT, description="1–240: 发货后多久无揽收算异常")
    stale_hours: int | None = Field(None, ge=-MAX_INT, le=MAX_INT, description="1–720: 在途多久无更新算停滞")
    compensation_percent: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2,
                                                 description="延迟发货赔付估算：订单金额的百分比")
    compensation_min: Decimal | None = Field(None, ge=0, le=10000, max_digits=8, decimal_places=2)
    compensation_max: Decimal | None = Field(None, ge=0, le=10000, max_digits=8, decimal_places=2)


class TokenIn(Schema):
    name: text(80, min_length=1)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    key: str


class ReceiverIn(Schema):
    text: text(1000)


class ReceiverOut(Schema):
    name: str
    phone: str
    phone_kind: str
    province: str
    city: str
    district: str
    detail: str


def _settings_out(s: ShopSettings) -> dict:
    return {"shop_name": s.shop_name, "promised_hours": s.promised_hours, "due_soon_hours": s.due_soon_hours,
            "low_stock_threshold": s.low_stock_threshold, "no_pickup_hours": s.no_pickup_hours,
            "stale_hours": s.stale_hours, "compensation_percent": s.compensation_percent,
            "compensation_min": s.compensation_min, "compensation_max": s.compensation_max}


@router.get("/me", response={200: MeOut, frozenset({401}): Error}, summary="The logged-in user and what they may do")
def me(request):
    user = request.auth
    return {"username": user.username, "role": user.role, "role_label": permissions.ROLE_NAMES.get(user.role, ""),
            "sees_pii": user.sees_pii,
            "permissions": {a: permissions.allowed(user, a) for a in permissions.RULES}}


@router.get("/dashboard", response={200: DashboardOut, frozenset({401}): Error}, summary="Today's work in numbers")
def dashboard(request):
    from fahuo.inventory.selectors import low_stock
    from fahuo.orders.selectors import dashboard_counts

    counts = dashboard_counts()
    counts["low_stock"] = len(low_stock(threshold=ShopSettings.get().low_stock_threshold))
    return counts


@router.get("/settings", response={200: SettingsOut, frozenset({401}): Error})
def get_settings(request):
    return _settings_out(ShopSettings.get())


@router.patch("/settings", response={200: SettingsOut, WRITE_ERRORS: Error}, summary="Change settings (owner)")
def patch_settings(request, payload: SettingsIn):
    from fahuo.core.services import update_settings

    permissions.require(request.auth, "settings")
    return _settings_out(update_settings(by=request.auth, **payload.dict(exclude_unset=True)))


def via_session(request) -> bool:
    """True when the request is authenticated by the browser's session rather than by an API token."""
    return str(request.session.get(SESSION_KEY, "")) == str(request.auth.pk)


def _require_session(request) -> None:
    """Tokens are made from a logged-in browser, not by another token."""
    if not via_session(request):
        raise Forbidden("API 令牌只能在登录后的页面里管理 (manage tokens from a logged-in session)",
                        code="session_required")


@router.post("/tokens", response={201: NewTokenOut, WRITE_ERRORS: Error},
             summary="Create an API token (session only); the key is shown once")
def create_token(request, payload: TokenIn):
    from fahuo.core.tokens import create_token as create

    permissions.require(request.auth, "tokens")
    _require_session(request)
    tok, key = create(user=request.auth, name=payload.name)
    return 201, {**_token_out(tok), "key": key}


@router.get("/tokens", response={200: list[TokenOut], READ_ERRORS: Error}, summary="My API tokens")
def list_tokens(request):
    return [_token_out(t) for t in ApiToken.objects.filter(user=request.auth).order_by("-created_at", "-id")]


@router.delete("/tokens/{token_id}", response={204: None, WRITE_ERRORS: Error}, summary="Revoke one of my tokens")
def revoke_token(request, token_id: int = Path(..., ge=1, le=MAX_ID)):
    from fahuo.core.tokens import revoke_token as revoke

    permissions.require(request.auth, "tokens")
    revoke(user=request.auth, token_id=token_id)
    return 204, None


def _token_out(t: ApiToken) -> dict:
    return {"id": t.pk, "name": t.name, "prefix": t.prefix, "created_at": t.created_at,
            "last_used_at": t.last_used_at, "revoked_at": t.revoked_at}


@router.post("/parse-receiver", response={200: ReceiverOut, READ_ERRORS | {403}: Error},  # 403: session without CSRF
             summary="Split a pasted '张三 138… 浙江省杭州市…' into name, phone and 省/市/区 + detail")
def parse_receiver(request, payload: ReceiverIn):
    from fahuo.imports.address import split_receiver_blob
    from fahuo.imports.phones import parse_phone
    from fahuo.orders.services.review import address_parser

    parser = address_parser()
    name, phone, address = split_receiver_blob(payload.text, parser)
    ph = parse_phone(phone)
    a = parser.parse(address) if address else None
    return {"name": name, "phone": ph.number or ph.raw, "phone_kind": ph.kind,
            "province": a.province if a else "", "city": a.city if a else "", "district": a.district if a else "",
            "detail": a.detail if a else ""}


"""Who gets in and what they see: bearer tokens, sessions with CSRF, masking for packers, roles."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from fahuo.core.models import ApiToken, ShopSettings
from fahuo.core.tokens import create_token, revoke_token
from fahuo.inventory.models import StockLevel
from fahuo.orders.models import Order, OrderEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_token_auth_works(owner):
    _, key = create_token(user=owner, name="script")

    r = Client().get("/api/me", headers=bearer(key))

    assert r.status_code == 200
    me = r.json()
    assert (me["username"], me["role"], me["sees_pii"]) == ("boss", "owner", True)
    assert all(me["permissions"].values())
    assert ApiToken.objects.get().last_used_at is not None


def test_revoked_token_is_401(owner):
    tok, key = create_token(user=owner, name="script")
    revoke_token(user=owner, token_id=tok.pk)

    r = Client().get("/api/me", headers=bearer(key))

    assert (r.status_code, r.json()["code"]) == (401, "unauthorized")


def test_no_credentials_is_401():
    r = Client().get("/api/orders")

    assert (r.status_code, r.json()["code"]) == (401, "unauthorized")


def test_a_post_with_a_revoked_token_is_401_not_a_csrf_403(owner):
    f.sku("A", stock=1)
    o = f.order(("A", 1))
    tok, key = create_token(user=owner, name="script")
    revoke_token(user=owner, token_id=tok.pk)

    r = Client(enforce_csrf_checks=True).post(f"/api/orders/{o.order_no}/confirm", headers=bearer(key))

    assert (r.status_code, r.json()["code"]) == (401, "unauthorized")
    assert Order.objects.get(pk=o.pk).status == "review"


def test_token_of_an_inactive_user_is_401(owner):
    _, key = create_token(user=owner, name="script")
    owner.is_active = False
    owner.save()

    assert Client().get("/api/me", headers=bearer(key)).status_code == 401


def test_session_post_without_csrf_is_refused_and_changes_nothing(owner):
    f.sku("TEA-1", stock=5)
    f.order(("TEA-1", 1), order_no="A1")
    c = Client(enforce_csrf_checks=True)
    c.force_login(owner)

    r = c.post("/api/orders/A1/confirm", "{}", content_type="application/json")

    assert r.status_code == 403
    assert Order.objects.get(order_no="A1").status == "review"
    assert StockLevel.objects.get().allocated == 0


def test_session_post_with_csrf_works(owner):
    f.sku("TEA-1", stock=5)
    f.order(("TEA-1", 1), order_no="A1")
    c = Client(enforce_csrf_checks=True)
    c.force_login(owner)
    token = _get_new_csrf_string()  # what the login page's cookie holds; htmx sends it back as X-CSRFToken
    c.cookies["csrftoken"] = token

    r = c.post("/api/orders/A1/confirm", "{}", content_type="application/json", headers={"X-CSRFToken": token})

    assert (r.status_code, r.json()["status"]) == (200, "ready")


def test_session_get_needs_no_csrf(owner):
    c = Client(enforce_csrf_checks=True)
    c.force_login(owner)

    assert c.get("/api/me").json()["username"] == "boss"


def test_packer_sees_masked_names_and_phones_in_list_and_detail(packer_api):
    f.order(order_no="P1", name="张三丰", phone="13812345678", buyer="tb_zhang")

    item = packer_api.get("/api/orders").json()["items"][0]
    detail = packer_api.get("/api/orders/P1").json()

    for d in (item, detail):
        assert (d["receiver"]["name"], d["receiver"]["phone"], d["buyer_nick"]) == ("张**", "138****5678", "")
        assert d["receiver"]["detail"] == "文三路90号"


def test_owner_and_cs_see_names_and_phones(api, cs_api):
    f.order(order_no="P1", name="张三丰", phone="13812345678")

    for client in (api, cs_api):
        rec = client.get("/api/orders/P1").json()["receiver"]
        assert (rec["name"], rec["phone"]) == ("张三丰", "13812345678")


def test_packer_confirm_is_403_and_changes_nothing(packer_api):
    f.sku("TEA-1", stock=5)
    f.order(("TEA-1", 1), order_no="P2")

    r = packer_api.post("/api/orders/P2/confirm")

    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert "打包员" in r.json()["message"]
    assert Order.objects.get(order_no="P2").status == "review"
    assert (StockLevel.objects.get().allocated, OrderEvent.objects.count()) == (0, 0)


def test_packer_me_lists_what_they_may_do(packer_api):
    perms = packer_api.get("/api/me").json()["permissions"]

    assert sorted(a for a, ok in perms.items() if ok) == ["export", "handover", "pack", "receive_stock", "ship", "tokens",
                                                         "waves"]


def test_tokens_are_created_from_a_session_and_shown_once(owner):
    c = Client()
    c.force_login(owner)

    made = c.post("/api/tokens", {"name": "脚本"}, content_type="application/json")
    listed = c.get("/api/tokens").json()

    assert made.status_code == 201
    key = made.json()["key"]
    assert key.startswith("fh_") and made.json()["prefix"] == key[:8]
    assert [(t["name"], t["revoked_at"]) for t in listed] == [("脚本", None)]
    assert "key" not in listed[0]
    assert Client().get("/api/me", headers=bearer(key)).status_code == 200


def test_a_token_cannot_make_another_token(api):
    r = api.post("/api/tokens", {"name": "more"})

    assert (r.status_code, r.json()["code"]) == (403, "session_required")
    assert ApiToken.objects.count() == 1


def test_revoking_a_token_over_the_api(owner):
    tok, key = create_token(user=owner, name="old")
    c = Client()
    c.force_login(owner)

    r = c.delete(f"/api/tokens/{tok.pk}")
    again = c.delete(f"/api/tokens/{tok.pk}")

    assert r.status_code == 204
    assert (again.status_code, again.json()["code"]) == (404, "token_not_found")
    assert Client().get("/api/me", headers=bearer(key)).status_code == 401


def test_nobody_revokes_someone_elses_token(owner, cs_api):
    tok, _ = create_token(user=owner, name="boss's")

    r = cs_api.delete(f"/api/tokens/{tok.pk}")

    assert r.status_code == 404
    assert ApiToken.objects.get(pk=tok.pk).revoked_at is None


def test_settings_owner_may_change_cs_may_not(api, cs_api):
    before = cs_api.get("/api/settings").json()

    refused = cs_api.patch("/api/settings", {"promised_hours": 24})
    changed = api.patch("/api/settings", {"promised_hours": 24, "shop_name": "西湖茶铺"})
    bad = api.patch("/api/settings", {"promised_hours": 0})

    tracking = {"no_pickup_hours": 24, "stale_hours": 48, "compensation_percent": "5.00", "compensation_min": "5.00",
                "compensation_max": "30.00"}
    assert before == {"shop_name": "", "promised_hours": 48, "due_soon_hours": 6, "low_stock_threshold": 5,
                      **tracking}
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert changed.json() == {"shop_name": "西湖茶铺", "promised_hours": 24, "due_soon_hours": 6,
                              "low_stock_threshold": 5, **tracking}
    assert (bad.status_code, bad.json()["code"]) == (400, "bad_setting")
    assert ShopSettings.get().promised_hours == 24


def test_tracking_limits_are_settings_and_checked(api):
    from fahuo.tracking.services.exceptions import limits

    ok = api.patch("/api/settings", {"no_pickup_hours": 12, "stale_hours": 36, "compensation_percent": "3.5",
                                     "compensation_min": "2", "compensation_max": "50"})
    too_long = api.patch("/api/settings", {"stale_hours": 721})
    crossed = api.patch("/api/settings", {"compensation_min": "60"})

    assert ok.status_code == 200
    assert {k: ok.json()[k] for k in ("no_pickup_hours", "stale_hours", "compensation_percent", "compensation_min",
                                      "compensation_max")} == {
        "no_pickup_hours": 12, "stale_hours": 36, "compensation_percent": "3.50", "compensation_min": "2.00",
        "compensation_max": "50.00"}
    assert (too_long.status_code, too_long.json()["code"], too_long.json()["data"]["field"]) == (400, "bad_setting",
                                                                                       "stale_hours")
    assert (crossed.status_code, crossed.json()["code"], crossed.json()["data"]["field"]) == (400, "bad_setting",
                                                                                     "compensation_min")
    lim = limits()
    assert (lim.no_pickup_hours, lim.stale_hours, lim.compensation_percent, lim.compensation_min,
            lim.compensation_max) == (12, 36, Decimal("3.50"), Decimal("2.00"), Decimal("50.00"))


def test_dashboard_counts(api):
    f.sku("TEA-1", stock=1)
    f.order(("TEA-1", 1))
    f.order(("TEA-1", 1), message="快点发")
    f.order(("TEA-1", 1), status="held")

    d = api.get("/api/dashboard").json()

    assert (d["review"], d["review_clean"], d["held"], d["short"], d["ready"], d["low_stock"]) == (2, 1, 1, 0, 0, 1)


def test_parse_receiver(api):
    r = api.post("/api/parse-receiver", {"text": "张三 13812345678 浙江省杭州市西湖区文三路90号"})

    assert r.json() == {"name": "张三", "phone": "13812345678", "phone_kind": "mobile", "province": "浙江省",
                        "city": "杭州市", "district": "西湖区", "detail": "文三路90号"}


def test_nul_in_input_is_422_not_500(api):
    r = api.post("/api/parse-receiver", {"text": "张三\x00"})
    q = api.get("/api/orders", q="a\x00")

    assert (r.status_code, q.status_code) == (422, 422)

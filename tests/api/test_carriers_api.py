"""The carriers API: the catalog with accounts, number detection with the seller's mix, rate cards, rules,
number pools, the recommendation for one order — and that only the owner changes them."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fahuo.carriers.models import CarrierAccount, ChoiceRules, NumberPool, PoolNumber, RateRow
from fahuo.fulfilment.models import Parcel
from tests import factories as f

pytestmark = pytest.mark.django_db

RATES_CSV = ("快递公司,目的省份,首重(kg),首重价格,续重价格,续重单位(kg),时效(天)\n"
             "中通快递,江浙沪,1,3.00,1.00,1,1-2\n"
             "中通快递,*,1,5,3,0.5,3\n"
             "圆通速递,浙江,1,2.80,1.00,1,1-2\n")


def put(client, path: str, body: dict):
    return client.client.put(path, json.dumps(body), content_type="application/json", headers=client.headers)


def csv_file(text: str, name: str = "rates.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


# ------------------------------------------------------------------------------------------------ catalog


def test_the_catalog_lists_every_carrier_with_the_sandbox_on_until_a_real_one_is_set_up(api):
    rows = api.get("/api/carriers").json()

    assert [r["code"] for r in rows] == ["SF", "ZTO", "YTO", "STO", "YUNDA", "JD", "EMS", "POSTB", "JTSD", "DBKD",
                                         "DEMO"]
    zto = rows[1]
    assert zto == {"code": "ZTO", "name": "中通", "name_en": zto["name_en"], "phone": "95311", "sandbox": False,
                   "enabled": False, "number_source": "manual", "pool_left": 0, "pool_low": False, "account": None}
    demo = rows[-1]
    assert (demo["enabled"], demo["sandbox"], demo["number_source"]) == (True, True, "sandbox")


def test_the_owner_sets_up_an_account_and_a_pool(api):
    r = put(api, "/api/carriers/中通快递/account", {"name": "义乌北苑网点", "account_no": "YW001",
                                               "number_source": "pool", "sender_name": None})
    pool = api.post("/api/carriers/pools", {"carrier": "ZTO", "numbers": ["73100000000001-73100000000003",
                                                                         "73100000000010"], "warn_below": 10})

    assert r.status_code == 200
    zto = r.json()
    assert (zto["code"], zto["enabled"], zto["number_source"]) == ("ZTO", True, "pool")
    assert zto["account"] == {"name": "义乌北苑网点", "account_no": "YW001", "sender_name": "", "sender_phone": "",
                              "sender_address": "", "service": "标准快递", "payment": "寄付月结"}
    assert pool.status_code == 201
    assert pool.json() == {"id": pool.json()["id"], "carrier": "ZTO", "name": "", "added": 4, "left": 4,
                           "warn_below": 10}
    listed = {c["code"]: c for c in api.get("/api/carriers").json()}
    assert (listed["ZTO"]["pool_left"], listed["ZTO"]["pool_low"]) == (4, True)
    assert listed["DEMO"]["enabled"] is False  # a real carrier is on now
    assert sorted(PoolNumber.objects.values_list("number", flat=True)) == [
        "73100000000001", "73100000000002", "73100000000003", "73100000000010"]


def test_account_for_an_unknown_carrier_or_a_bad_source_is_400(api):
    unknown = put(api, "/api/carriers/火星快递/account", {"name": "x"})
    bad = put(api, "/api/carriers/ZTO/account", {"number_source": "sandbox"})

    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_carrier")
    assert (bad.status_code, bad.json()["code"]) == (400, "bad_number_source")
    assert CarrierAccount.objects.count() == 0


def test_only_the_owner_changes_carriers_rates_rules_and_pools(packer_api, cs_api):
    for client in (packer_api, cs_api):
        refused = [put(client, "/api/carriers/ZTO/account", {"name": "x"}),
                   client.upload("/api/carriers/rates/import", file=csv_file(RATES_CSV)),
                   put(client, "/api/carriers/rates/ZTO/浙江", {"first_price": "3", "extra_price": "1"}),
                   put(client, "/api/carriers/rules", {"text": "默认 → 最便宜"}),
                   client.post("/api/carriers/pools", {"carrier": "ZTO", "numbers": ["73100000000001"]})]
        read = [client.get("/api/carriers"), client.get("/api/carriers/rates"), client.get("/api/carriers/rules"),
                client.get("/api/carriers/detect", number="SF1385628716739")]

        assert [(r.status_code, r.json()["code"]) for r in refused] == [(403, "forbidden")] * 5
        assert [r.status_code for r in read] == [200] * 4
    assert (CarrierAccount.objects.count(), RateRow.objects.count(), NumberPool.objects.count()) == (0, 0, 0)
    assert ChoiceRules.get().text == ""


# ------------------------------------------------------------------------------------------------ detection


def test_detect_ranks_candidates_and_normalises_the_number(api):
    r = api.get("/api/carriers/detect", number="  7732 7702-7280 336 ")
    none = api.get("/api/carriers/detect", number="hello")

    assert (r.status_code, r.json()) == (200, {"number": "773277027280336", "candidates": [
        {"code": "STO", "name": "申通", "score": 0.7}, {"code": "YUNDA", "name": "韵达", "score": 0.2}]})
    assert none.json() == {"number": "HELLO", "candidates": []}


def test_detect_breaks_ties_with_the_sellers_own_carrier_mix(api):
    before = api.get("/api/carriers/detect", number="9812345678901").json()["candidates"]
    o = f.order()
    for _ in range(3):
        Parcel.objects.create(order=o, carrier_code="POSTB")

    after = api.get("/api/carriers/detect", number="9812345678901").json()["candidates"]

    assert [(c["code"], c["score"]) for c in before] == [("EMS", 0.6), ("POSTB", 0.5), ("YUNDA", 0.2)]
    assert [(c["code"], c["score"]) for c in after] == [("POSTB", 0.5), ("EMS", 0.06), ("YUNDA", 0.02)]


# ------------------------------------------------------------------------------------------------ rates


def test_rates_are_the_sample_card_until_the_seller_imports_one(api):
    sample = api.get("/api/carriers/rates").json()

    r = api.upload("/api/carriers/rates/import", file=csv_file(RATES_CSV))
    mine = api.get("/api/carriers/rates").json()

    assert sample["sample"] is True
    assert {"carrier": "DEMO", "province": "*", "first_kg": "1", "first_price": "2.50", "extra_price": "1.00",
            "extra_step_kg": "1", "days_min": 1, "days_max": 3} in sample["rates"]
    assert (r.status_code, r.json()) == (200, {"stored": 5, "rejected": []})
    assert mine["sample"] is False
    assert [(x["carrier"], x["province"], x["first_price"], x["extra_step_kg"], x["days_min"], x["days_max"])
            for x in mine["rates"]] == [("ZTO", "上海市", "3.00", "1", 1, 2), ("ZTO", "江苏省", "3.00", "1", 1, 2),
                                        ("ZTO", "浙江省", "3.00", "1", 1, 2), ("ZTO", "*", "5.00", "0.5", 3, 3),
                                        ("YTO", "浙江省", "2.80", "1", 1, 2)]


def test_a_rate_file_with_a_bad_line_stores_nothing_and_names_the_line(api):
    bad = RATES_CSV + "火星快递,浙江,1,3,1,1,2\n中通快递,浙江,1,abc,1,1,2\n"

    r = api.upload("/api/carriers/rates/import", file=csv_file(bad))
    gbk = api.upload("/api/carriers/rates/import",
                     file=SimpleUploadedFile("r.csv", RATES_CSV.encode("gb18030"), content_type="text/csv"))
    binary = api.upload("/api/carriers/rates/import", file=SimpleUploadedFile("r.csv", b"\x00\x01\xff\xfe\x00"))

    assert r.status_code == 200
    assert r.json() == {"stored": 0, "rejected": [
        {"line": 5, "code": "unknown_carrier", "reason": "不认识的快递公司：'火星快递'"},
        {"line": 6, "code": "bad_number", "reason": "首重价格不是数字：'abc'"}]}
    assert gbk.json() == {"stored": 5, "rejected": []}
    assert (binary.status_code, binary.json()["code"]) == (400, "file_unreadable")


def test_one_rate_is_edited_on_the_phone(api):
    r = put(api, "/api/carriers/rates/中通/新疆", {"first_price": "12.5", "extra_price": "8", "days_min": 4,
                                                "days_max": 6})
    default = put(api, "/api/carriers/rates/ZTO/*", {"first_price": "5", "extra_price": "3", "extra_step_kg": "0.5"})
    bad = put(api, "/api/carriers/rates/ZTO/火星", {"first_price": "5", "extra_price": "3"})
    backwards = put(api, "/api/carriers/rates/ZTO/浙江", {"first_price": "5", "extra_price": "3", "days_min": 5,
                                                       "days_max": 2})

    assert (r.status_code, r.json()) == (200, {"carrier": "ZTO", "province": "新疆维吾尔自治区", "first_kg": "1",
                                               "first_price": "12.50", "extra_price": "8.00", "extra_step_kg": "1",
                                               "days_min": 4, "days_max": 6})
    assert (default.json()["province"], default.json()["extra_step_kg"]) == ("*", "0.5")
    assert (bad.status_code, bad.json()["code"]) == (400, "unknown_province")
    assert (backwards.status_code, backwards.json()["code"]) == (400, "bad_number")
    assert RateRow.objects.count() == 2


# ------------------------------------------------------------------------------------------------ rules


def test_rules_are_read_back_as_parsed_and_a_bad_line_is_400_with_its_number(api):
    text = "# 我的规则\n目的地 in 新疆,西藏 → 邮政\n金额 > 500 → 顺丰\n默认 → 最便宜"

    saved = put(api, "/api/carriers/rules", {"text": text})
    bad = put(api, "/api/carriers/rules", {"text": "金额 > 500 → 顺丰\n重量 很重 → 德邦\n目的地 in 火星 → 邮政"})

    assert saved.status_code == 200
    assert saved.json() == {"text": text, "errors": [], "rules": [
        {"number": 1, "line": 2, "text": "目的地 in 新疆,西藏 → 邮政", "action": "carrier", "carrier": "POSTB"},
        {"number": 2, "line": 3, "text": "金额 > 500 → 顺丰", "action": "carrier", "carrier": "SF"},
        {"number": 3, "line": 4, "text": "默认 → 最便宜", "action": "cheapest", "carrier": None}]}
    assert bad.status_code == 400
    assert bad.json()["code"] == "bad_rules"
    assert [(e["line"], e["code"]) for e in bad.json()["data"]["errors"]] == [(2, "bad_operator"),
                                                                             (3, "unknown_place")]
    assert api.get("/api/carriers/rules").json()["text"] == text


# ------------------------------------------------------------------------------------------------ pools


def test_a_pool_of_numbers_that_do_not_fit_the_carrier_or_a_bad_range_is_400(api):
    wrong = api.post("/api/carriers/pools", {"carrier": "ZTO", "numbers": ["SF1385628716739"]})
    unknown = api.post("/api/carriers/pools", {"carrier": "火星快递", "numbers": ["1"]})
    ranges = [api.post("/api/carriers/pools", {"carrier": "ZTO", "numbers": [r]})
              for r in ("1~2-3", "A15-AB5", "a~5", "5~a")]

    assert (wrong.status_code, wrong.json()["code"]) == (400, "bad_pool")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_carrier")
    assert [(r.status_code, r.json()["code"]) for r in ranges] == [(400, "bad_pool")] * 4
    assert NumberPool.objects.count() == 0


def test_numbers_already_pooled_are_409(api):
    api.post("/api/carriers/pools", {"carrier": "ZTO", "numbers": ["73100000000001"]})

    r = api.post("/api/carriers/pools", {"carrier": "ZTO", "numbers": ["73100000000001", "73100000000002"]})

    assert (r.status_code, r.json()["code"]) == (409, "pool_duplicate")
    assert PoolNumber.objects.count() == 1


# ------------------------------------------------------------------------------------------------ recommendation


def test_recommendation_lists_every_enabled_carrier_with_cost_days_and_the_rule(api):
    f.sku("A")
    f.order(("A", 1), order_no="R1", amount="800.00")
    for code in ("ZTO", "YTO", "SF"):
        put(api, f"/api/carriers/{code}/account", {})
    put(api, "/api/carriers/rules", {"text": "金额 > 500 → 顺丰\n默认 → 最便宜"})

    r = api.get("/api/carriers/recommend/R1")
    missing = api.get("/api/carriers/recommend/NOPE")

    assert r.status_code == 200
    assert r.json() == {"order_no": "R1", "chosen": "SF", "manual": False, "rule": "金额 > 500 → 顺丰",
                        "explanation": "规则 1：金额 > 500 → 顺丰", "sample_rates": True, "candidates": [
                            {"code": "YTO", "name": "圆通", "cost": "2.80", "days": {"min": 1, "max": 2},
                             "available": True, "reason": ""},
                            {"code": "ZTO", "name": "中通", "cost": "3.00", "days": {"min": 1, "max": 2},
                             "available": True, "reason": ""},
                            {"code": "SF", "name": "顺丰", "cost": "12.00", "days": {"min": 1, "max": 1},
                             "available": True, "reason": "规则 1：金额 > 500 → 顺丰"}]}
    assert (missing.status_code, missing.json()["code"]) == (404, "order_not_found")

"""What arrives: 快递100 pushes, the generic JSON format, their signatures, and the city of an event."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fahuo.tracking.events import (
    TrackingFormatError,
    city_from_area,
    city_from_text,
    fold,
    parse_generic,
    parse_kuaidi100_push,
    verify_hmac,
    verify_kuaidi100_sign,
)
from fahuo.tracking.statuses import TrackStatus

S = TrackStatus
BJ = ZoneInfo("Asia/Shanghai")
SALT = "s3cret-salt"

# A 圆通 trace written like a 快递100 push with resultv2 (newest first), 唐山 → 济南.
ITEMS = [
    {"ftime": "2021-06-14 17:31:57", "time": "2021-06-14 17:31:57", "status": "签收", "areaName": None,
     "context": "客户签收人: 已签收，签收人凭取货码签收。 感谢使用圆通速递"},
    {"ftime": "2021-06-14 13:53:38", "status": "在途", "areaName": None,
     "context": "快件已由济南历城区翠苑西门店代收，请及时取件"},
    {"ftime": "2021-06-14 11:41:58", "status": "派件", "areaName": "山东,济南市,历城区,孙村",
     "context": "【山东省济南市孙村公司】 派件中 派件人: 方彪 电话 18521138021"},
    {"ftime": "2021-06-14 06:18:01", "status": "在途", "statusCode": "1001", "areaName": "山东,济南市",
     "context": "【济南转运中心】 已发出 下一站 【山东省济南市孙村公司】"},
    {"ftime": "2021-06-13 20:08:29", "status": "干线", "statusCode": "1002", "areaName": "天津",
     "context": "【天津转运中心公司】 已收入"},
    {"ftime": "2021-06-13 13:03:42", "status": "揽收", "areaName": "河北,唐山市,曹妃甸区",
     "context": "【河北省唐山市曹妃甸综合保税区公司】 已揽收 取件人: 刘亚军"},
]  # fmt: skip


def push(items, status="polling", com="yuantong", nu="YT5555508965056", **extra):
    body = {"status": status, "message": "", "autoCheck": "0", "comOld": "", "comNew": "",
            "lastResult": {"message": "ok", "state": "3", "status": "200", "condition": "F00", "ischeck": "1",
                           "com": com, "nu": nu, "data": items}}  # fmt: skip
    body.update(extra)
    return json.dumps(body, ensure_ascii=False)


def test_a_kuaidi100_push_becomes_events_in_beijing_time_with_cities():
    p = parse_kuaidi100_push(push(ITEMS))
    assert (p.status, p.number, p.carrier, p.new_com) == ("polling", "YT5555508965056", "YTO", None)
    got = [(e.at, e.status, e.city, e.raw_code, e.source) for e in p.events]
    assert got == [
        (datetime(2021, 6, 14, 17, 31, 57, tzinfo=BJ), S.DELIVERED, "", "签收", "kuaidi100"),
        (datetime(2021, 6, 14, 13, 53, 38, tzinfo=BJ), S.IN_LOCKER, "", "在途", "kuaidi100"),
        (datetime(2021, 6, 14, 11, 41, 58, tzinfo=BJ), S.OUT_FOR_DELIVERY, "济南市", "派件", "kuaidi100"),
        (datetime(2021, 6, 14, 6, 18, 1, tzinfo=BJ), S.IN_TRANSIT, "济南市", "1001", "kuaidi100"),
        (datetime(2021, 6, 13, 20, 8, 29, tzinfo=BJ), S.IN_TRANSIT, "天津", "1002", "kuaidi100"),
        (datetime(2021, 6, 13, 13, 3, 42, tzinfo=BJ), S.PICKED_UP, "唐山市", "揽收", "kuaidi100"),
    ]
    assert p.events[0].at.utcoffset() == timedelta(hours=8)
    state = fold(p.events)
    assert (state.status, state.delivered_at) == (S.DELIVERED, datetime(2021, 6, 14, 17, 31, 57, tzinfo=BJ))
    assert state.picked_up_at == datetime(2021, 6, 13, 13, 3, 42, tzinfo=BJ)


def test_pushes_repeated_and_a_full_repush_give_the_same_state_and_timeline():
    first = parse_kuaidi100_push(push(ITEMS[3:]))  # cumulative pushes, newest first
    second = parse_kuaidi100_push(push(ITEMS[1:]))
    again = parse_kuaidi100_push(push(ITEMS[1:]))
    full = parse_kuaidi100_push(push(ITEMS, status="updateall"))
    everything = fold(first.events + second.events + again.events + full.events)
    assert everything == fold(full.events)
    assert len(everything.timeline) == 6
    assert full.status == "updateall"


def test_an_abort_with_a_corrected_carrier_code_is_reported():
    p = parse_kuaidi100_push(push([], status="abort", com="", comNew="zhongtong", message="3天查询无记录"))
    assert (p.status, p.carrier, p.new_com, p.events) == ("abort", "ZTO", "zhongtong", [])


def test_an_unknown_com_is_kept_as_sent():
    assert parse_kuaidi100_push(push([], com="somenewexpress")).carrier == "somenewexpress"


@pytest.mark.parametrize(
    "param, code",
    [
        ("not json", "kuaidi100_bad_json"),
        ("[1, 2]", "kuaidi100_bad_json"),
        (push([], nu=""), "kuaidi100_no_number"),
        (push([{"ftime": "14/06/2021", "context": "x"}]), "kuaidi100_bad_time"),
        (push(["x"]), "kuaidi100_bad_json"),
    ],
)
def test_unreadable_pushes_are_refused_with_a_stable_code(param, code):
    with pytest.raises(TrackingFormatError) as err:
        parse_kuaidi100_push(param)
    assert err.value.code == code


def test_kuaidi100_sign_is_md5_of_param_and_salt_in_either_case():
    param = push(ITEMS)
    sign = hashlib.md5((param + SALT).encode("utf-8")).hexdigest()
    assert verify_kuaidi100_sign(param, SALT, sign.upper())
    assert verify_kuaidi100_sign(param, SALT, sign.lower())
    assert verify_kuaidi100_sign(param, SALT, f" {sign.upper()}\n")


@pytest.mark.parametrize(
    "param_change, salt, sign",
    [
        ("", "other-salt", None),  # wrong salt
        (" ", SALT, None),  # param changed after signing
        ("", SALT, "0" * 32),
        ("", SALT, ""),  # unsigned
        ("", "", None),  # no salt configured: nothing is trusted
        ("", SALT, "签名"),  # not even hex
    ],
)
def test_wrong_kuaidi100_signatures_are_refused(param_change, salt, sign):
    param = push(ITEMS)
    good = hashlib.md5((param + SALT).encode("utf-8")).hexdigest().upper()
    assert not verify_kuaidi100_sign(param + param_change, salt, good if sign is None else sign)


def test_hmac_signature_with_and_without_prefix():
    body = b'{"number": "YT8962646785389", "events": []}'
    digest = hmac.new(b"whsec", body, hashlib.sha256).hexdigest()
    assert verify_hmac(body, "whsec", digest)
    assert verify_hmac(body, b"whsec", digest.upper())
    assert verify_hmac(body, "whsec", f"sha256={digest}")
    assert verify_hmac(body, "whsec", f"SHA256={digest.upper()}")
    assert not verify_hmac(body + b" ", "whsec", digest)
    assert not verify_hmac(body, "other", digest)
    assert not verify_hmac(body, "whsec", f"sha1={digest}")
    assert not verify_hmac(body, "whsec", "")
    assert not verify_hmac(body, "", digest)
    assert not verify_hmac(body, "whsec", "sha256=")


def test_the_generic_format():
    payload = {
        "number": "yt 8962-6467-85389",
        "carrier": "圆通速递",
        "events": [
            {"time": "2024-06-01T09:30:00+08:00", "status": "picked_up", "context": "已揽收", "city": "义乌"},
            {"time": "2024-06-01T03:00:00Z", "status": "InTransit", "context": "【杭州市】已发出"},
            {"time": "2024-06-02 08:00:00", "status": "派送中", "context": ""},
            {
                "time": "2024-06-02T09:00:00+08:00",
                "status": "exception",
                "context": "快件异常",
                "reason": "damage",
            },
        ],
    }
    events = parse_generic(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    assert [(e.number, e.carrier, e.status, e.reason, e.city, e.source) for e in events] == [
        ("YT8962646785389", "YTO", S.PICKED_UP, "", "义乌", "generic"),
        ("YT8962646785389", "YTO", S.IN_TRANSIT, "", "杭州市", "generic"),
        ("YT8962646785389", "YTO", S.OUT_FOR_DELIVERY, "", "", "generic"),
        ("YT8962646785389", "YTO", S.EXCEPTION, "damage", "", "generic"),
    ]
    assert events[1].at == datetime(2024, 6, 1, 3, tzinfo=UTC)
    assert events[2].at == datetime(2024, 6, 2, 8, tzinfo=BJ)  # no offset: Beijing time
    assert parse_generic(payload) == events  # an already-parsed object is accepted too


@pytest.mark.parametrize(
    "payload, code",
    [
        (b"{", "generic_bad_json"),
        ({"events": []}, "generic_no_number"),
        ({"number": "YT1", "events": {}}, "generic_bad_json"),
        ({"number": "YT1", "events": [{"time": "yesterday"}]}, "generic_bad_time"),
        ({"number": "YT1", "events": [3]}, "generic_bad_json"),
    ],
)
def test_unreadable_generic_payloads_are_refused_with_a_stable_code(payload, code):
    with pytest.raises(TrackingFormatError) as err:
        parse_generic(payload)
    assert err.value.code == code


@pytest.mark.parametrize(
    "area, city",
    [("山东,济南市,历城区,孙村", "济南市"), ("天津", "天津"), ("北京市", "北京市"), ("浙江,杭州市", "杭州市"),
     ("浙江", ""), ("", "")],
)  # fmt: skip
def test_city_from_kuaidi100_area_name(area, city):
    assert city_from_area(area) == city


@pytest.mark.parametrize(
    "text, city",
    [
        ("【山东省济南市孙村公司】 已收入", "济南市"),
        ("【杭州市】快件已发出", "杭州市"),
        ("快件已到达 【北京市朝阳区三里屯营业部】", "北京市"),
        ("【浙江金华市义乌公司】已揽收", "金华市"),
        ("已到达杭州转运中心", "杭州"),
        ("快件已从 义乌分拨中心 发出", "义乌"),
        ("【济南转运中心】 已发出", "济南"),
        ("快件到达【华东转运中心】", ""),
        ("快件已被【好又多超市】代收", ""),
        ("快件正在派送中", ""),
    ],
)
def test_city_from_text(text, city):
    assert city_from_text(text) == city

"""Tracking sources, pure: the 快递100 subscribe / query builders and answer parsers against recorded payloads,
the sandbox source, the registry, and the periodic slot arithmetic. No test reaches the network."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from fahuo.tracking.sandbox import Place, Receiver, Scenario, generate
from fahuo.tracking.sources import base, kuaidi100, registry
from fahuo.tracking.sources.base import SourceError, SubscribeResult, TrackingSource, phone_last4
from fahuo.tracking.sources.kuaidi100 import Kuaidi100Source, Kuaidi100TrackingConfig
from fahuo.tracking.sources.sandbox import SandboxSource
from fahuo.tracking.statuses import TrackStatus as S
from tests.fakes import FakeSend

REAL_SEND = kuaidi100.send  # before the no_network fixture replaces it
PAYLOADS = Path(__file__).parent / "payloads" / "kuaidi100_tracking"
SH = ZoneInfo("Asia/Shanghai")
CFG = Kuaidi100TrackingConfig(key="TESTKEY", customer="CUSTOMER01")
# the param text and its sign: MD5(param + "TESTKEY" + "CUSTOMER01"), upper case, computed with coreutils md5sum
QUERY_PARAM = '{"com":"shunfeng","num":"SF1385628716739","phone":"5678","resultv2":"4"}'
QUERY_SIGN = "55DC9598AA327460CC9233D7D31CA0C3"


def payload(name: str) -> str:
    return (PAYLOADS / name).read_text(encoding="utf-8")




@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def tripwire(*args, **kwargs):
        raise AssertionError("a test reached the network")

    monkeypatch.setattr(kuaidi100, "send", tripwire)
    monkeypatch.setattr(urllib.request, "urlopen", tripwire)


# ---- requests --------------------------------------------------------------------------------------------


def test_query_sign_is_md5_of_param_key_customer_in_upper_case_hex():
    assert kuaidi100.query_sign("{}", "K", "C") == "8540EAA6614D49E24060BAE0806610B4"
    assert kuaidi100.query_sign(QUERY_PARAM, "TESTKEY", "CUSTOMER01") == QUERY_SIGN


def test_query_form_carries_customer_sign_and_the_exact_param_signed():
    form = kuaidi100.build_query_form("SF1385628716739", "shunfeng", key="TESTKEY", customer="CUSTOMER01",
                                      phone_last4="5678")
    assert form == {"customer": "CUSTOMER01", "sign": QUERY_SIGN, "param": QUERY_PARAM}
    assert "TESTKEY" not in form["param"]  # the key only goes into the sign


def test_query_form_leaves_out_an_empty_phone():
    form = kuaidi100.build_query_form("YT8962646785389", "yuantong", key="K", customer="C")
    assert form["param"] == '{"com":"yuantong","num":"YT8962646785389","resultv2":"4"}'


def test_subscribe_form_is_schema_json_with_key_callback_salt_and_phone():
    form = kuaidi100.build_subscribe_form("SF1385628716739", "shunfeng", key="TESTKEY",
                                          callback_url="https://shop.example/hooks/kuaidi100", salt="s4lt",
                                          phone_last4="5678")
    assert form["schema"] == "json"
    assert json.loads(form["param"]) == {
        "company": "shunfeng", "number": "SF1385628716739", "key": "TESTKEY",
        "parameters": {"callbackurl": "https://shop.example/hooks/kuaidi100", "salt": "s4lt", "resultv2": "4",
                       "phone": "5678"}}
    assert set(form) == {"schema", "param"}


def test_phone_last4():
    assert phone_last4("138-1234-5678") == "5678"
    assert phone_last4("0571 8888 6666") == "6666"
    assert phone_last4("12") == ""
    assert phone_last4("") == ""


# ---- answers ---------------------------------------------------------------------------------------------


def test_subscribe_answers():
    assert kuaidi100.parse_subscribe_answer(payload("subscribe_ok.json")) == SubscribeResult(True, "200", "提交成功")
    assert kuaidi100.parse_subscribe_answer(payload("subscribe_duplicate.json")) == SubscribeResult(
        True, "501", "POLL:重复订阅", already=True)
    with pytest.raises(SourceError) as e:
        kuaidi100.parse_subscribe_answer(payload("subscribe_unsupported.json"))
    assert (e.value.code, e.value.source_code, e.value.source_message) == (
        "bad_number", "700", "POLL:不支持的快递公司：shunfen")
    assert e.value.transient is False
    with pytest.raises(SourceError) as e:
        kuaidi100.parse_subscribe_answer(payload("subscribe_bad_key.json"))
    assert (e.value.code, e.value.source_code) == ("auth", "600")


def test_query_answer_is_read_by_the_push_parser():
    events = kuaidi100.parse_query_answer(payload("query_ok.json"))
    assert [(e.number, e.carrier, e.at, e.status, e.city, e.raw_code, e.source) for e in events] == [
        ("YT8962646785389", "YTO", datetime(2026, 11, 3, 14, 21, 9, tzinfo=SH), S.DELIVERED, "成都市", "301",
         "kuaidi100"),
        ("YT8962646785389", "YTO", datetime(2026, 11, 3, 8, 45, 30, tzinfo=SH), S.OUT_FOR_DELIVERY, "成都市", "5",
         "kuaidi100"),
        ("YT8962646785389", "YTO", datetime(2026, 11, 2, 23, 10, 2, tzinfo=SH), S.IN_TRANSIT, "成都市", "1001",
         "kuaidi100"),
        ("YT8962646785389", "YTO", datetime(2026, 11, 1, 21, 40, 13, tzinfo=SH), S.IN_TRANSIT, "杭州市", "1002",
         "kuaidi100"),
        ("YT8962646785389", "YTO", datetime(2026, 11, 1, 16, 5, 44, tzinfo=SH), S.PICKED_UP, "杭州市", "103",
         "kuaidi100"),
    ]


def test_query_no_result_yet_is_no_events_not_an_error():
    assert kuaidi100.parse_query_answer(payload("query_no_result.json")) == []


@pytest.mark.parametrize(("name", "code", "source_code", "transient"), [
    ("query_phone_required.json", "bad_number", "408", False),
    ("query_busy.json", "unavailable", "502", True),
    ("query_sign_error.json", "auth", "503", False),
])
def test_query_failures(name, code, source_code, transient):
    with pytest.raises(SourceError) as e:
        kuaidi100.parse_query_answer(payload(name))
    assert (e.value.code, e.value.source_code, e.value.transient) == (code, source_code, transient)


def test_rate_limit_words_and_unreadable_answers():
    with pytest.raises(SourceError) as e:
        kuaidi100.parse_query_answer('{"result":false,"returnCode":"501","message":"查询过于频繁"}')
    assert e.value.code == "rate_limited"
    with pytest.raises(SourceError) as e:
        kuaidi100.parse_query_answer("<html>502 Bad Gateway</html>")
    assert e.value.code == "bad_answer"
    with pytest.raises(SourceError) as e:
        kuaidi100.parse_query_answer('{"message":"ok","nu":"YT1","data":[{"ftime":"yesterday","context":"x"}]}')
    assert (e.value.code, e.value.message) == ("bad_answer", "快递100 轨迹无法读取 (unreadable trace: kuaidi100_bad_time)")


# ---- the source with an injected transport ---------------------------------------------------------------


def test_source_polls_the_query_url_with_a_timeout():
    fake = FakeSend(payload("query_ok.json"))
    source = Kuaidi100Source(CFG, send=fake)
    assert isinstance(source, TrackingSource)
    assert source.min_poll_interval == timedelta(minutes=30)
    events = source.poll("YT8962646785389", "yuantong", "5678")
    assert len(events) == 5
    assert [(u, t) for u, _f, t in fake.calls] == [("https://poll.kuaidi100.com/poll/query.do", 15.0)]
    form = fake.calls[0][1]
    assert json.loads(form["param"]) == {"com": "yuantong", "num": "YT8962646785389", "phone": "5678",
                                         "resultv2": "4"}
    assert form["sign"] == kuaidi100.query_sign(form["param"], "TESTKEY", "CUSTOMER01")


def test_source_subscribes_to_the_poll_url():
    fake = FakeSend(payload("subscribe_ok.json"))
    source = Kuaidi100Source(CFG, send=fake)
    assert source.subscribe("YT8962646785389", "yuantong", "", "https://x.example/hooks/kuaidi100", "salt").ok
    url, form, _t = fake.calls[0]
    assert url == "https://poll.kuaidi100.com/poll"
    assert json.loads(form["param"])["company"] == "yuantong"


def test_source_without_credentials_refuses_before_any_request():
    fake = FakeSend(payload("query_ok.json"))
    source = Kuaidi100Source(Kuaidi100TrackingConfig(key="K"), send=fake)
    with pytest.raises(SourceError) as e:
        source.poll("YT8962646785389", "yuantong", "")
    assert (e.value.code, e.value.message) == (
        "auth", "快递100 未配置：缺少 FAHUO_KUAIDI100_CUSTOMER (kuaidi100 not configured)")
    with pytest.raises(SourceError) as e:
        Kuaidi100Source(CFG, send=fake).poll("YT8962646785389", "", "")
    assert e.value.code == "bad_number"
    assert fake.calls == []


def test_config_from_env():
    cfg = Kuaidi100TrackingConfig.from_env({"FAHUO_KUAIDI100_KEY": " k ", "FAHUO_KUAIDI100_CUSTOMER": "c",
                                            "FAHUO_KUAIDI100_TIMEOUT": "4"})
    assert (cfg.key, cfg.customer, cfg.timeout, cfg.configured) == ("k", "c", 4.0, True)
    assert Kuaidi100TrackingConfig.from_env({"FAHUO_KUAIDI100_KEY": "k"}).configured is False


def test_transport_maps_http_429_to_rate_limited(monkeypatch):
    import io
    import urllib.error

    def fake_urlopen(request, timeout):
        assert request.full_url == "https://poll.kuaidi100.com/poll/query.do"
        assert urllib.parse.parse_qs(request.data.decode())["customer"] == ["C"]
        raise urllib.error.HTTPError(request.full_url, 429, "Too Many", {}, io.BytesIO(b""))

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    with pytest.raises(SourceError) as e:
        REAL_SEND(kuaidi100.QUERY_URL, {"customer": "C"}, timeout=1)
    assert (e.value.code, e.value.source_code) == ("rate_limited", "429")


# ---- the sandbox source ----------------------------------------------------------------------------------


def _stream(number: str):
    shipped = datetime(2026, 11, 1, 10, 0, tzinfo=SH)
    return generate(number, Place("浙江省", "杭州市", "余杭区"),
                    Receiver("张三", "13800138000", "四川省", "成都市", "武侯区", "人民南路1号"), shipped, 3,
                    Scenario.happy(locker=0.0))


def test_sandbox_poll_returns_the_events_due_by_now():
    stream = _stream("FH000000000042")
    now = stream[2].at
    source = SandboxSource(lambda n: stream if n == "FH000000000042" else None, lambda: now,
                           min_poll_interval=timedelta(minutes=1))
    events = source.poll("FH000000000042", "demo", "")
    assert sorted(e.at for e in events) == [e.at for e in stream[:3]]
    assert {e.source for e in events} == {"kuaidi100"} and {e.carrier for e in events} == {"DEMO"}
    assert source.min_poll_interval == timedelta(minutes=1)
    later = SandboxSource(lambda n: stream, lambda: stream[-1].at + timedelta(days=1))
    assert len(later.poll("FH000000000042", "demo", "")) == len(stream)
    assert later.min_poll_interval == timedelta(minutes=30)


def test_sandbox_poll_before_pickup_is_empty_and_unknown_numbers_are_refused():
    stream = _stream("FH000000000042")
    source = SandboxSource(lambda n: stream if n == "FH000000000042" else None,
                           lambda: stream[0].at - timedelta(seconds=1))
    assert source.poll("FH000000000042", "demo", "") == []
    with pytest.raises(SourceError) as e:
        source.poll("FH999", "demo", "")
    assert e.value.code == "bad_number"
    assert source.subscribe("FH000000000042", "demo", "", "", "").ok is True
    assert source.subscribed == [("FH000000000042", "demo")]


# ---- the registry and errors -----------------------------------------------------------------------------


def test_registry_picks_the_sandbox_for_demo_and_kuaidi100_only_with_credentials():
    creds = {"FAHUO_KUAIDI100_KEY": "k", "FAHUO_KUAIDI100_CUSTOMER": "c"}
    assert registry.source_name("DEMO", {}) == "sandbox"
    assert registry.source_name("DEMO", {**creds, "FAHUO_TRACKING_SOURCE": "kuaidi100"}) == "sandbox"
    assert registry.source_name("YTO", {}) == ""
    assert registry.source_name("YTO", creds) == "kuaidi100"
    assert registry.source_name("YTO", {**creds, "FAHUO_TRACKING_SOURCE": "none"}) == ""
    assert registry.source_name("YTO", {"FAHUO_TRACKING_SOURCE": "kuaidi100"}) == "kuaidi100"


def test_source_error_codes_are_checked():
    with pytest.raises(ValueError):
        SourceError("teapot", "x")
    assert SourceError(base.RATE_LIMITED, "x", retry_after=timedelta(hours=1)).transient is True
    assert SourceError(base.AUTH, "x").transient is False


# ---- periodic slots (pure arithmetic) --------------------------------------------------------------------


def test_slot_of_floors_to_the_period():
    from fahuo.core.periodic import slot_of

    t = datetime(2026, 11, 24, 12, 17, 43, tzinfo=UTC)
    assert slot_of(t, timedelta(minutes=10)) == datetime(2026, 11, 24, 12, 10, tzinfo=UTC)
    assert slot_of(t, timedelta(minutes=1)) == datetime(2026, 11, 24, 12, 17, tzinfo=UTC)
    assert slot_of(t.astimezone(SH), timedelta(minutes=5)) == datetime(2026, 11, 24, 12, 15, tzinfo=UTC)
    with pytest.raises(ValueError):
        slot_of(t, timedelta(0))

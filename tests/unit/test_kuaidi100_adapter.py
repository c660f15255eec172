"""The 快递100 adapter: the pure mapper against fixed inputs and recorded payloads, and the adapter wired to a fake
transport. No test reaches the network: the real proxy.send and urlopen are replaced by tripwires."""

import json
import urllib.request
from pathlib import Path

import pytest

from fahuo.carriers.adapters.base import REGISTRY, AdapterError, WaybillRequest, WaybillResult, get_adapter
from fahuo.carriers.adapters.kuaidi100 import KUAIDI100, Kuaidi100Adapter, Kuaidi100Error, mapper, proxy
from fahuo.carriers.adapters.kuaidi100.config import DEFAULT_URL, Kuaidi100Config
from tests.fakes import FakeSend

PAYLOADS = Path(__file__).parent / "payloads" / "kuaidi100"
T = "1576123932000"  # the timestamp in 快递100's own documentation

REQ = WaybillRequest(
    carrier_code="ZTO",
    order_nos=("3512345678901234567",),
    receiver_name="张三",
    receiver_phone="13812345678",
    province="浙江省",
    city="杭州市",
    district="西湖区",
    detail="文三路 90 号 5 幢 301",
    sender_name="李四",
    sender_phone="0571-88886666",
    sender_address="浙江省杭州市余杭区文一西路 969 号",
    weight_g=1250,
    items=("西湖龙井 250g ×2",),
)
CFG = Kuaidi100Config(key="TESTKEY", secret="TESTSECRET", partner_id="ZT-MONTHLY-001", partner_key="PK-001")
ENV = {"FAHUO_KUAIDI100_KEY": "TESTKEY", "FAHUO_KUAIDI100_SECRET": "TESTSECRET",
       "FAHUO_KUAIDI100_PARTNER_ID": "ZT-MONTHLY-001", "FAHUO_KUAIDI100_PARTNER_KEY": "PK-001"}

PARAM_TEXT = (
    '{"kuaidicom":"zhongtong","partnerId":"ZT-MONTHLY-001","partnerKey":"PK-001",'
    '"recMan":{"name":"\\u5f20\\u4e09","mobile":"13812345678",'
    '"printAddr":"\\u6d59\\u6c5f\\u7701\\u676d\\u5dde\\u5e02\\u897f\\u6e56\\u533a\\u6587\\u4e09\\u8def 90 \\u53f7 5 '
    '\\u5e62 301"},'
    '"sendMan":{"name":"\\u674e\\u56db","tel":"0571-88886666",'
    '"printAddr":"\\u6d59\\u6c5f\\u7701\\u676d\\u5dde\\u5e02\\u4f59\\u676d\\u533a\\u6587\\u4e00\\u897f\\u8def 969 '
    '\\u53f7"},'
    '"cargo":"\\u897f\\u6e56\\u9f99\\u4e95 250g \\u00d72","count":1,"weight":1.25,"payType":"SHIPPER",'
    '"orderId":"3512345678901234567","printType":"NON"}'
)
# MD5(PARAM_TEXT + T + "TESTKEY" + "TESTSECRET"), upper case. This and the digest in the first test were computed
# with coreutils `md5sum`, not with the code under test.
PARAM_SIGN = "62A28D1676C6203CAF3454538C4BC12B"


def payload(name: str) -> str:
    return (PAYLOADS / name).read_text(encoding="utf-8")




@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def tripwire(*args, **kwargs):
        raise AssertionError("a test reached the real transport")

    monkeypatch.setattr(proxy, "send", tripwire)
    monkeypatch.setattr(urllib.request, "urlopen", tripwire)


# --- the sign and the request -------------------------------------------------------------------------------


def test_sign_is_md5_of_param_t_key_secret_in_upper_case_hex():
    assert mapper.sign("{}", T, "K", "S") == "A1F142B60358A639C17730A4567250F0"
    assert mapper.sign(PARAM_TEXT, T, "TESTKEY", "TESTSECRET") == PARAM_SIGN


def test_request_is_the_five_form_fields_with_the_param_text_signed():
    form = mapper.build_request(REQ, CFG, t=T)

    assert form == {"method": "order", "key": "TESTKEY", "t": T, "param": PARAM_TEXT, "sign": PARAM_SIGN}


def test_param_maps_the_waybill_request_onto_kuaidi100_fields():
    param = json.loads(mapper.build_request(REQ, CFG, t=T)["param"])

    assert param == {
        "kuaidicom": "zhongtong",
        "partnerId": "ZT-MONTHLY-001",
        "partnerKey": "PK-001",
        "recMan": {"name": "张三", "mobile": "13812345678", "printAddr": "浙江省杭州市西湖区文三路 90 号 5 幢 301"},
        "sendMan": {"name": "李四", "tel": "0571-88886666", "printAddr": "浙江省杭州市余杭区文一西路 969 号"},
        "cargo": "西湖龙井 250g ×2",
        "count": 1,
        "weight": 1.25,
        "payType": "SHIPPER",
        "orderId": "3512345678901234567",
        "printType": "NON",
    }


def test_optional_settings_are_sent_when_set_and_the_sellers_account_number_wins():
    cfg = Kuaidi100Config(key="K", secret="S", partner_id="ENV-ID", partner_key="PK", partner_secret="PS",
                          partner_name="西湖茶庄", net="taobao", code="C1", template="tmpl-1", print_type="IMAGE",
                          pay_type="MONTHLY", exp_type="标准快递")
    req = WaybillRequest(**{**REQ.__dict__, "account_no": "SELLER-ID", "carrier_code": "JTSD"})

    param = mapper.build_param(req, cfg)

    assert {k: v for k, v in param.items() if k not in ("recMan", "sendMan", "cargo", "weight", "orderId")} == {
        "kuaidicom": "jtexpress", "partnerId": "SELLER-ID", "partnerKey": "PK", "partnerSecret": "PS",
        "partnerName": "西湖茶庄", "net": "taobao", "code": "C1", "count": 1, "payType": "MONTHLY",
        "expType": "标准快递", "printType": "IMAGE", "tempId": "tmpl-1",
    }


def test_merged_orders_send_the_first_as_order_id_and_all_in_the_remark_and_empty_fields_are_left_out():
    req = WaybillRequest(**{**REQ.__dict__, "order_nos": ("111", "222"), "weight_g": 0, "items": (),
                            "receiver_phone": "13800000000-1234"})

    param = mapper.build_param(req, CFG)

    assert (param["orderId"], param["remark"]) == ("111", "订单 111,222")
    assert "weight" not in param and "cargo" not in param
    assert param["recMan"]["mobile"] == "13800000000-1234"


@pytest.mark.parametrize(
    "change, code",
    [
        ({"receiver_phone": "138****5678"}, "masked_receiver"),
        ({"detail": "文三路****"}, "masked_receiver"),
        ({"city": ""}, "address_incomplete"),
        ({"detail": "  "}, "address_incomplete"),
        ({"receiver_name": ""}, "address_incomplete"),
        ({"sender_address": ""}, "sender_incomplete"),
        ({"sender_phone": ""}, "sender_incomplete"),
        ({"carrier_code": "DEMO"}, "unsupported_carrier"),
        ({"carrier_code": "NOPE"}, "unsupported_carrier"),
    ],
)
def test_a_request_the_carrier_would_refuse_is_refused_before_anything_is_sent(change, code):
    send = FakeSend(payload("success.json"))
    adapter = Kuaidi100Adapter(send=send, now_ms=lambda: int(T), environ=ENV)

    with pytest.raises(AdapterError) as e:
        adapter.issue(WaybillRequest(**{**REQ.__dict__, **change}), serial=lambda: 1)

    assert e.value.code == code
    assert send.calls == []


def test_no_account_number_anywhere_is_not_configured():
    with pytest.raises(AdapterError) as e:
        mapper.build_param(REQ, Kuaidi100Config(key="K", secret="S"))

    assert e.value.code == "not_configured"
    assert "FAHUO_KUAIDI100_PARTNER_ID" in str(e.value)


# --- the answer ---------------------------------------------------------------------------------------------


def test_success_answer_gives_the_number_and_routing_codes():
    result = mapper.parse_response(payload("success.json"))

    assert result == WaybillResult(
        number="73100012345678",
        routing={
            "big_pen": "571 杭州西湖",
            "sort_code": "571-A12-03",
            "hub_name": "杭州集包",
            "hub_code": "571001",
            "dest_code": "571",
            "dest_name": "杭州西湖二部",
            "dest_sorting_name": "杭州分拨中心",
            "org_code": "571013",
            "org_name": "杭州余杭",
            "road": "03",
            "task_id": "8C1A4E0F2B9D4C7A9E3F6B5D2A1C0E9F",
            "carrier_order_no": "ZTO20240501000123",
        },
    )


def test_older_list_shaped_answer_is_read_too():
    result = mapper.parse_response(payload("success_v1_list.json"))

    assert result == WaybillResult(
        number="JT0016322576092",
        routing={"big_pen": "710  R702-00 026", "hub_name": "廊坊临空转运中心",
                 "carrier_order_no": "01745833873064PT1bzn"},
    )


@pytest.mark.parametrize(
    "name, carrier_code, carrier_message",
    [("error_rejected.json", "400", "电子面单账号或密码错误"), ("error_legacy_envelope.json", "500", "服务器错误")],
)
def test_a_refusal_raises_carrier_rejected_with_kuaidi100s_own_code_and_message(name, carrier_code, carrier_message):
    with pytest.raises(Kuaidi100Error) as e:
        mapper.parse_response(payload(name))

    assert (e.value.code, e.value.carrier_code, e.value.carrier_message) == (
        "carrier_rejected", carrier_code, carrier_message)
    assert str(e.value) == (f"快递100 拒绝下单：{carrier_message}（代码 {carrier_code}） "
                            f"(kuaidi100 refused: {carrier_message})")


@pytest.mark.parametrize(
    "body",
    [payload("error_no_number.json"), "<html>502 Bad Gateway</html>", "[]", b"\xff\xfe", '{"code":200,"data":null}'],
)
def test_an_answer_without_a_number_is_a_bad_response(body):
    with pytest.raises(AdapterError) as e:
        mapper.parse_response(body)

    assert e.value.code == "bad_response"


def test_success_flag_false_wins_over_code_200():
    with pytest.raises(Kuaidi100Error) as e:
        mapper.parse_response({"success": False, "code": 200, "message": "余额不足", "data": {"kuaidinum": "1"}})

    assert (e.value.code, e.value.carrier_message) == ("carrier_rejected", "余额不足")


# --- the adapter --------------------------------------------------------------------------------------------


def test_adapter_signs_posts_to_the_configured_url_and_parses_the_answer():
    send = FakeSend(payload("success.json"))
    adapter = Kuaidi100Adapter(send=send, now_ms=lambda: int(T),
                               environ={**ENV, "FAHUO_KUAIDI100_TIMEOUT": "7.5"})

    result = adapter.issue(REQ, serial=lambda: pytest.fail("serial is the sandbox's counter"))

    assert result.number == "73100012345678"
    assert send.calls == [(DEFAULT_URL, {"method": "order", "key": "TESTKEY", "t": T, "param": PARAM_TEXT,
                                         "sign": PARAM_SIGN}, 7.5)]


def test_adapter_without_key_or_secret_is_not_configured_and_sends_nothing():
    send = FakeSend(payload("success.json"))
    adapter = Kuaidi100Adapter(send=send, environ={"FAHUO_KUAIDI100_KEY": "TESTKEY"})

    with pytest.raises(AdapterError) as e:
        adapter.issue(REQ, serial=lambda: 1)

    assert e.value.code == "not_configured"
    assert "FAHUO_KUAIDI100_SECRET" in str(e.value) and "TESTKEY" not in str(e.value)
    assert send.calls == []


def test_registered_adapter_reads_the_environment_and_uses_the_monkeypatched_transport(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("FAHUO_KUAIDI100_URL", "https://example.invalid/label/order")
    send = FakeSend(payload("success.json"))
    monkeypatch.setattr(proxy, "send", send)

    result = KUAIDI100.issue(REQ, serial=lambda: 1)

    assert result.number == "73100012345678"
    assert send.calls[0][0] == "https://example.invalid/label/order"
    assert send.calls[0][2] == 15.0


def test_get_adapter_finds_kuaidi100_by_name():
    assert get_adapter("kuaidi100") is KUAIDI100
    assert REGISTRY["kuaidi100"].name == "kuaidi100"
    assert isinstance(KUAIDI100, Kuaidi100Adapter)


# --- settings and the transport's request (built, never sent) -----------------------------------------------


def test_settings_come_from_fahuo_kuaidi100_variables_with_defaults():
    assert Kuaidi100Config.from_env({}) == Kuaidi100Config()
    cfg = Kuaidi100Config.from_env({**ENV, "FAHUO_KUAIDI100_PRINT_TYPE": "image", "FAHUO_KUAIDI100_TEMPLATE": " t1 "})
    assert (cfg.key, cfg.secret, cfg.partner_id, cfg.print_type, cfg.pay_type, cfg.template, cfg.url, cfg.timeout) == (
        "TESTKEY", "TESTSECRET", "ZT-MONTHLY-001", "IMAGE", "SHIPPER", "t1", DEFAULT_URL, 15.0)
    assert Kuaidi100Config.from_env({}).missing() == ["FAHUO_KUAIDI100_KEY", "FAHUO_KUAIDI100_SECRET"]


def test_a_timeout_that_is_not_a_number_is_not_configured():
    with pytest.raises(AdapterError) as e:
        Kuaidi100Config.from_env({"FAHUO_KUAIDI100_TIMEOUT": "soon"})

    assert e.value.code == "not_configured"


def test_transport_request_is_a_utf8_form_post():
    request = proxy.build_http_request(DEFAULT_URL, {"method": "order", "param": '{"a":"杭州 1+1"}'})

    assert request.get_method() == "POST"
    assert request.full_url == DEFAULT_URL
    assert request.get_header("Content-type") == "application/x-www-form-urlencoded; charset=UTF-8"
    assert request.data == b"method=order&param=%7B%22a%22%3A%22%E6%9D%AD%E5%B7%9E+1%2B1%22%7D"

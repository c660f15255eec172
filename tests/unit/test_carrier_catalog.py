"""The carrier catalog: codes, names, outside codes, and carrier names as Taobao exports write them."""

import pytest

from fahuo.carriers import catalog


def test_catalog_has_the_ten_carriers_and_the_sandbox_in_display_order():
    assert catalog.codes() == ("SF", "ZTO", "YTO", "STO", "YUNDA", "JD", "EMS", "POSTB", "JTSD", "DBKD", "DEMO")
    assert [c.code for c in catalog.real_carriers()] == list(catalog.codes()[:-1])
    assert catalog.get("DEMO").sandbox is True
    assert catalog.get("DEMO").name_zh == "演示快递"


@pytest.mark.parametrize(
    "code, name_zh, kuaidi100, kdniao, phone, last4",
    [
        ("SF", "顺丰", "shunfeng", "SF", "95338", True),
        ("ZTO", "中通", "zhongtong", "ZTO", "95311", True),
        ("YTO", "圆通", "yuantong", "YTO", "95554", False),
        ("STO", "申通", "shentong", "STO", "95543", False),
        ("YUNDA", "韵达", "yunda", "YD", "95546", False),
        ("JD", "京东", "jd", "JD", "950616", False),
        ("EMS", "EMS", "ems", "EMS", "11183", False),
        ("POSTB", "邮政", "youzhengguonei", "YZPY", "11183", False),
        ("JTSD", "极兔", "jtexpress", "JTSD", "956025", False),
        ("DBKD", "德邦", "debangkuaidi", "DBL", "95353", False),
    ],
)
def test_each_carrier_carries_its_codes_and_phone(code, name_zh, kuaidi100, kdniao, phone, last4):
    c = catalog.get(code)
    assert (c.name_zh, c.kuaidi100, c.kdniao, c.phone, c.phone_last4) == (name_zh, kuaidi100, kdniao, phone, last4)
    assert c.name_en and c.real


@pytest.mark.parametrize(
    "text, code",
    [
        ("中通快递", "ZTO"),
        ("圆通速递", "YTO"),
        ("顺丰速运", "SF"),
        ("韵达快递", "YUNDA"),
        ("申通快递", "STO"),
        ("京东物流", "JD"),
        ("邮政快递包裹", "POSTB"),
        ("EMS经济快递", "EMS"),
        ("中国邮政EMS", "EMS"),
        ("极兔速递", "JTSD"),
        ("德邦快递", "DBKD"),
        ("德邦物流", "DBKD"),
        ("演示快递", "DEMO"),
        # codes of fahuo and of outside systems
        ("zto", "ZTO"),
        ("zhongtong", "ZTO"),
        ("YD", "YUNDA"),
        ("youzhengguonei", "POSTB"),
        ("J&T Express", "JTSD"),
        # noise around the name: spaces, full width, a branch, a service
        (" 中通 快递 ", "ZTO"),
        ("ＥＭＳ经济快递", "EMS"),
        ("申通快递（义乌网点）", "STO"),
        ("邮政EMS快递", "EMS"),
        ("EMS（经济）", "EMS"),
        ("中国邮政", "POSTB"),
        ("中国邮政速递", "EMS"),
    ],
)
def test_carrier_from_text_normalises_export_names(text, code):
    assert catalog.carrier_from_text(text) == code


@pytest.mark.parametrize("text", ["", None, "   ", "某某快递", "stock", "百世快递"])
def test_carrier_from_text_returns_none_for_unknown_names(text):
    assert catalog.carrier_from_text(text) is None


def test_every_alias_maps_back_to_its_own_carrier():
    for c in catalog.all_carriers():
        for alias in (c.name_zh, c.name_en, *c.aliases):
            assert catalog.carrier_from_text(alias) == c.code, alias

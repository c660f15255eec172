"""Rate cards: 首重 + 续重 arithmetic at the step edges, transit days, and the CSV form."""

from decimal import Decimal as D

import pytest

from fahuo.carriers import rates
from fahuo.carriers.rates import Days, Rate, Rejection


def zto_card(step="1", first_kg="1"):
    return rates.card(
        "ZTO",
        [
            Rate("ZTO", "浙江省", D("5.00"), D("2.00"), D(first_kg), D(step), Days(1, 2)),
            Rate("ZTO", "*", D("8.00"), D("5.00"), D(first_kg), D(step), Days(3, 3)),
        ],
    )


@pytest.mark.parametrize(
    "weight_g, price",
    [(0, "5.00"), (1, "5.00"), (999, "5.00"), (1000, "5.00"), (1001, "7.00"), (2000, "7.00"), (2001, "9.00"), (10_500, "25.00")],
)
def test_quote_rounds_the_extra_weight_up_to_whole_kilos(weight_g, price):
    assert rates.quote(zto_card(), "浙江", weight_g) == D(price)


@pytest.mark.parametrize(
    "weight_g, price",
    [(1000, "5.00"), (1001, "6.00"), (1500, "6.00"), (1501, "7.00"), (2000, "7.00"), (2001, "8.00")],
)
def test_quote_with_a_half_kilo_step(weight_g, price):
    assert rates.quote(zto_card(step="0.5"), "浙江省", weight_g) == D(price)


def test_quote_with_a_three_kilo_first_weight():
    card = zto_card(first_kg="3")
    assert rates.quote(card, "浙江", 3000) == D("5.00")
    assert rates.quote(card, "浙江", 3001) == D("7.00")


def test_quote_rounds_half_up_to_the_cent():
    card = rates.card("SF", [Rate("SF", "*", D("10.00"), D("1.125"), D(1), D("0.5"))])
    # 1001 g → one 0.5 kg step → 0.5 × 1.125 = 0.5625 → 10.5625 → 10.56
    assert rates.quote(card, "广东", 1001) == D("10.56")
    # 1501 g → two steps → 1.125 → 11.125 → 11.13 (half up, not half even)
    assert rates.quote(card, "广东", 1501) == D("11.13")


def test_the_default_row_serves_provinces_without_their_own_row():
    assert rates.quote(zto_card(), "新疆", 1000) == D("8.00")
    assert rates.transit_days(zto_card(), "新疆维吾尔自治区") == Days(3, 3)
    assert rates.transit_days(zto_card(), "浙江") == Days(1, 2)
    assert str(Days(1, 2)) == "1-2天" and str(Days(3, 3)) == "3天"


def test_no_rate_for_the_province_raises_with_the_carrier_and_province():
    card = rates.card("ZTO", [Rate("ZTO", "浙江省", D(5), D(2))])
    with pytest.raises(rates.NoRateError) as e:
        rates.quote(card, "西藏", 500)
    assert (e.value.code, e.value.carrier, e.value.province) == ("no_rate", "ZTO", "西藏")
    assert rates.transit_days(card, "西藏") is None


@pytest.mark.parametrize(
    "before, after, crosses",
    [
        (800, 1000, False),  # still within 首重
        (1000, 1001, True),  # out of 首重
        (1001, 2000, False),  # same step
        (2000, 2001, True),
        (2500, 2100, False),  # lighter, same step
        (2500, 1500, True),  # lighter by a step
        (2500, 900, True),  # back into 首重
        (0, 1000, False),
    ],
)
def test_crosses_step(before, after, crosses):
    assert rates.crosses_step(zto_card(), "浙江", before, after) is crosses


def test_crosses_step_is_false_when_the_card_has_no_rate():
    card = rates.card("ZTO", [Rate("ZTO", "浙江省", D(5), D(2))])
    assert rates.crosses_step(card, "西藏", 500, 5000) is False


CSV = """快递公司,目的省份,首重(kg),首重价格,续重价格,续重单位(kg),时效(天)
中通快递,新疆,1,12.00,10.00,1,5-7
中通快递,江浙沪,1,¥3,1元,,1~2
中通快递,*,1,6,4,1,3
顺丰速运,其他,1,18,6,0.5,2
"""


def test_parse_rate_card_csv_reads_cards_by_carrier_with_full_province_names():
    cards, rejections = rates.parse_rate_card_csv(CSV)
    assert rejections == []
    assert sorted(cards) == ["SF", "ZTO"]
    zto = cards["ZTO"]
    assert sorted(zto.rates) == ["*", "上海市", "新疆维吾尔自治区", "江苏省", "浙江省"]
    assert zto.rates["新疆维吾尔自治区"] == Rate("ZTO", "新疆维吾尔自治区", D("12.00"), D("10.00"), D(1), D(1), Days(5, 7))
    assert zto.rates["浙江省"] == Rate("ZTO", "浙江省", D(3), D(1), D(1), D(1), Days(1, 2))
    assert cards["SF"].rates["*"].extra_step_kg == D("0.5")
    assert rates.quote(cards["SF"], "北京", 1200) == D("21.00")


def test_parse_rate_card_csv_accepts_english_headers_in_any_order_and_a_bom():
    text = "\ufeffprovince,carrier,first_price,extra_price,days\nXinjiang,ZTO,12,10,5-7\n"
    cards, rejections = rates.parse_rate_card_csv(text)
    assert rejections == []
    assert cards["ZTO"].rates["新疆维吾尔自治区"].first_kg == D(1)


def test_parse_rate_card_csv_rejects_bad_lines_with_their_line_number_and_reason():
    text = "\n".join(
        [
            "# a comment line",
            "快递公司,目的省份,首重价格,续重价格,时效",
            "中通,浙江,3,1,1-2",
            "火箭快递,浙江,3,1,1",
            "中通,火星,3,1,1",
            "中通,江苏,三元,1,1",
            "中通,江苏,3,-1,1",
            "中通,江苏,3,1,3-1",
            "中通,浙江省,4,1,1",
            "中通,,3,1,1",
            "",
            "中通,江苏,3,1,2",
        ]
    )
    cards, rejections = rates.parse_rate_card_csv(text)
    assert [(r.line, r.code) for r in rejections] == [
        (4, "unknown_carrier"),
        (5, "unknown_province"),
        (6, "bad_number"),
        (7, "bad_number"),
        (8, "bad_days"),
        (9, "duplicate"),
        (10, "missing"),
    ]
    assert rejections[0] == Rejection(4, "unknown_carrier", "不认识的快递公司：'火箭快递'")
    assert rejections[5].reason == "ZTO 到 浙江省 已在第 3 行"
    assert sorted(cards["ZTO"].rates) == ["江苏省", "浙江省"]
    assert cards["ZTO"].rates["浙江省"].first_price == D(3)


def test_parse_rate_card_csv_refuses_a_header_without_the_required_columns():
    cards, rejections = rates.parse_rate_card_csv("快递公司,目的省份,首重价格\n中通,浙江,3\n")
    assert cards == {}
    assert rejections == [Rejection(1, "missing_column", "表头缺少：续重价格")]


def test_the_sample_rate_card_loads_clean_and_covers_the_mainland_for_postb():
    cards = rates.sample_rate_cards()
    assert set(cards) == {"SF", "ZTO", "YTO", "STO", "YUNDA", "JD", "EMS", "POSTB", "JTSD", "DBKD", "DEMO"}
    assert len(cards["POSTB"].rates) == 31
    assert cards["ZTO"].rate_for("西藏") is None  # the sample leaves some carriers out of 西藏/新疆
    assert rates.quote(cards["ZTO"], "浙江", 1001) == D("4.00")
    assert cards["DBKD"].rates["浙江省"].first_kg == D(3)
    assert cards["DBKD"].rates["浙江省"].volumetric_divisor == 8000

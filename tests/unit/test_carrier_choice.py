"""Carrier choice: the seller's rules in plain words, and the recommendation for one order."""

from decimal import Decimal as D

import pytest

from fahuo.carriers import choice, rates
from fahuo.carriers.choice import Candidate, OrderFacts, Recommendation
from fahuo.carriers.rates import Days, Rate

ALL = ["SF", "ZTO", "YTO", "STO", "YUNDA", "JD", "EMS", "POSTB", "JTSD", "DBKD"]

RULES = """\
# 我的快递规则
目的地 in 新疆,西藏,青海 → 邮政
金额 > 500 → 顺丰
重量 > 20kg → 德邦
留言 包含 顺丰 → 顺丰
标签 易碎 → 顺丰

默认 → 最便宜
"""


def card(code, *rows):
    return rates.card(code, [Rate(code, p, D(fp), D(xp), D(1), D(1), Days(*d)) for p, fp, xp, d in rows])


# A small hand-made set of cards: prices chosen so the arithmetic is easy to check.
CARDS = {
    "ZTO": card("ZTO", ("浙江省", "3", "1", (1, 2)), ("*", "5", "3", (2, 3))),
    "YTO": card("YTO", ("*", "4", "2", (2, 4))),
    "SF": card("SF", ("*", "15", "5", (1, 2))),
    "POSTB": card("POSTB", ("*", "8", "4", (4, 7))),
    "DBKD": card("DBKD", ("浙江省", "20", "1", (2, 3))),  # 德邦 only serves 浙江 on this card
}
ENABLED = ["ZTO", "YTO", "SF", "POSTB", "DBKD"]


def facts(province="浙江省", amount="100", weight_g=800, message="", memo="", tags=()):
    return OrderFacts(province, D(amount), weight_g, message, memo, frozenset(tags))


def rules(text=RULES):
    parsed, errors = choice.parse_rules(text)
    assert errors == []
    return parsed


# --- parsing ------------------------------------------------------------------------------------------


def test_parse_rules_numbers_rules_and_keeps_their_lines_and_text():
    parsed = rules()
    assert [(r.number, r.line, r.action, r.carrier) for r in parsed] == [
        (1, 2, "carrier", "POSTB"),
        (2, 3, "carrier", "SF"),
        (3, 4, "carrier", "DBKD"),
        (4, 5, "carrier", "SF"),
        (5, 6, "carrier", "SF"),
        (6, 8, "cheapest", None),
    ]
    assert parsed[1].text == "金额 > 500 → 顺丰"


def test_parse_rules_reads_the_conditions_into_exact_values():
    parsed = rules()
    c = [r.conditions[0] for r in parsed]
    assert (c[0].kind, c[0].op, c[0].words) == ("province", "in", frozenset({"新疆维吾尔自治区", "西藏自治区", "青海省"}))
    assert (c[1].kind, c[1].op, c[1].number) == ("amount", ">", D(500))
    assert (c[2].kind, c[2].op, c[2].number) == ("weight", ">", D(20000))
    assert (c[3].kind, c[3].words) == ("message", frozenset({"顺丰"}))
    assert (c[4].kind, c[4].words) == ("tag", frozenset({"易碎"}))
    assert c[5].kind == "always"


def test_english_keywords_and_other_spellings_parse_the_same():
    text = """\
province in Xinjiang, Tibet -> manual
amount >= 500 -> SF
weight > 500g => cheapest
message contains "A & B" and weight <= 2kg -> shunfeng
tag fragile, glass -> fastest
destination not in 江浙沪 → ZTO
重量 超过 3公斤 且 目的地 在 偏远地区 → 邮政快递包裹
default -> cheapest
"""
    parsed = rules(text)
    assert [r.action for r in parsed] == ["manual", "carrier", "cheapest", "carrier", "fastest", "carrier", "carrier", "cheapest"]
    assert parsed[0].conditions[0].words == frozenset({"新疆维吾尔自治区", "西藏自治区"})
    assert (parsed[1].conditions[0].op, parsed[1].conditions[0].number) == (">=", D(500))
    assert parsed[2].conditions[0].number == D(500)
    assert [c.kind for c in parsed[3].conditions] == ["message", "weight"]
    assert parsed[3].conditions[0].words == frozenset({"a & b"})
    assert parsed[4].conditions[0].words == frozenset({"fragile", "glass"})
    assert parsed[5].conditions[0].op == "not in"
    assert [(c.kind, c.op, c.number) for c in parsed[6].conditions][0] == ("weight", ">", D(3000))
    assert parsed[6].carrier == "POSTB"


def test_rule_parse_errors_name_the_line():
    text = "\n".join(
        [
            "金额 > 500 → 顺丰",
            "默认 最便宜",
            "目的地 in 火星 → 顺丰",
            "金额 > abc → 顺丰",
            "重量 > 20 吨 → 德邦",
            "颜色 = 红 → 顺丰",
            "金额 > 100 → 火箭",
            "→ 顺丰",
            "金额 500 → 顺丰",
        ]
    )
    parsed, errors = choice.parse_rules(text)
    assert [r.line for r in parsed] == [1]
    assert [(e.line, e.code) for e in errors] == [
        (2, "no_arrow"),
        (3, "unknown_place"),
        (4, "bad_number"),
        (5, "bad_number"),
        (6, "unknown_condition"),
        (7, "unknown_action"),
        (8, "no_condition"),
        (9, "bad_operator"),
    ]
    assert errors[0].message == "第 2 行：缺少 →（例如：金额 > 500 → 顺丰）"
    assert errors[1].message == "第 3 行：不认识的省份或地区“火星”"
    assert errors[1].text == "目的地 in 火星 → 顺丰"


# --- recommendation -------------------------------------------------------------------------------------


def test_every_candidate_shows_cost_and_days_sorted_by_cost_and_the_default_picks_the_cheapest():
    # given an order to 浙江 of 1.5 kg and no rule that matches before the default
    rec = choice.recommend(facts(weight_g=1500), CARDS, rules(), ENABLED)
    # then every enabled carrier is listed by cost, and the cheapest is chosen by the default rule
    assert rec == Recommendation(
        chosen="ZTO",
        manual=False,
        rule="默认 → 最便宜",
        explanation="规则 6：默认 → 最便宜",
        candidates=(
            Candidate("ZTO", "中通", D("4.00"), Days(1, 2), True, "规则 6：默认 → 最便宜"),
            Candidate("YTO", "圆通", D("6.00"), Days(2, 4), True),
            Candidate("POSTB", "邮政", D("12.00"), Days(4, 7), True),
            Candidate("SF", "顺丰", D("20.00"), Days(1, 2), True),
            Candidate("DBKD", "德邦", D("21.00"), Days(2, 3), True),
        ),
    )


def test_amount_rule_chooses_sf_and_says_which_rule():
    rec = choice.recommend(facts(amount="800"), CARDS, rules(), ENABLED)
    assert (rec.chosen, rec.rule, rec.explanation) == ("SF", "金额 > 500 → 顺丰", "规则 2：金额 > 500 → 顺丰")
    sf = next(c for c in rec.candidates if c.code == "SF")
    assert sf == Candidate("SF", "顺丰", D("15.00"), Days(1, 2), True, "规则 2：金额 > 500 → 顺丰")


def test_amount_exactly_at_the_limit_does_not_match_greater_than():
    rec = choice.recommend(facts(amount="500.00"), CARDS, rules(), ENABLED)
    assert rec.chosen == "ZTO"


def test_destination_rule_sends_remote_provinces_by_post():
    rec = choice.recommend(facts(province="新疆", weight_g=2500), CARDS, rules(), ENABLED)
    assert (rec.chosen, rec.explanation) == ("POSTB", "规则 1：目的地 in 新疆,西藏,青海 → 邮政")
    assert {c.code: c.cost for c in rec.candidates}["POSTB"] == D("16.00")


def test_message_and_tag_rules():
    assert choice.recommend(facts(message="麻烦发顺丰，谢谢"), CARDS, rules(), ENABLED).chosen == "SF"
    assert choice.recommend(facts(tags={"易碎", "玻璃"}), CARDS, rules(), ENABLED).chosen == "SF"
    assert choice.recommend(facts(tags={"玻璃"}), CARDS, rules(), ENABLED).chosen == "ZTO"


def test_a_rule_for_a_carrier_with_no_rate_to_the_province_falls_through_and_says_why():
    # given a 25 kg parcel to 广东: rule 3 says 德邦, but 德邦's card only serves 浙江
    rec = choice.recommend(facts(province="广东", weight_g=25_000), CARDS, rules(), ENABLED)
    # then the next deciding rule (the default, cheapest) chooses, and 德邦's reason says why not
    assert (rec.chosen, rec.explanation) == ("YTO", "规则 6：默认 → 最便宜")
    dbkd = next(c for c in rec.candidates if c.code == "DBKD")
    assert dbkd == Candidate("DBKD", "德邦", None, None, False, "没有到广东的价格；规则 3：重量 > 20kg → 德邦（未采用）")
    assert rec.candidates[-1].code == "DBKD"  # unavailable last


def test_a_rule_for_a_carrier_that_is_not_enabled_falls_through_and_is_shown():
    rec = choice.recommend(facts(amount="900"), CARDS, rules(), ["ZTO", "YTO"])
    assert rec.chosen == "ZTO"
    sf = next(c for c in rec.candidates if c.code == "SF")
    assert sf == Candidate("SF", "顺丰", D("15.00"), Days(1, 2), False, "未启用；规则 2：金额 > 500 → 顺丰（未采用）")


def test_manual_rule_holds_the_order_for_a_person():
    parsed = rules("目的地 in 西藏 → 人工\n默认 → 最便宜")
    rec = choice.recommend(facts(province="西藏自治区"), CARDS, parsed, ENABLED)
    assert (rec.chosen, rec.manual, rec.rule) == (None, True, "目的地 in 西藏 → 人工")
    assert rec.explanation == "规则 1：目的地 in 西藏 → 人工（人工处理）"
    assert all(c.cost is not None for c in rec.candidates if c.available)  # costs still shown


def test_fastest_picks_the_fewest_days_then_the_cheapest():
    parsed = rules("默认 → 最快")
    rec = choice.recommend(facts(province="广东"), CARDS, parsed, ENABLED)
    # ZTO (2-3), YTO (2-4), SF (1-2), POSTB (4-7): SF is fastest
    assert (rec.chosen, rec.explanation) == ("SF", "规则 1：默认 → 最快")


def test_no_rules_means_the_cheapest_with_no_rule_named():
    rec = choice.recommend(facts(), CARDS, [], ENABLED)
    assert (rec.chosen, rec.rule, rec.explanation) == ("ZTO", None, "最便宜")


def test_cheapest_ties_break_by_days_then_catalog_order():
    cards = {"YTO": card("YTO", ("*", "5", "1", (2, 3))), "ZTO": card("ZTO", ("*", "5", "1", (2, 3))),
             "STO": card("STO", ("*", "5", "1", (1, 2)))}  # fmt: skip
    assert choice.recommend(facts(), cards, [], ["YTO", "ZTO", "STO"]).chosen == "STO"
    assert choice.recommend(facts(), cards, [], ["YTO", "ZTO"]).chosen == "ZTO"  # 中通 before 圆通 in the catalog


def test_unknown_province_makes_nothing_available():
    rec = choice.recommend(facts(province=None), CARDS, rules(), ENABLED)
    assert (rec.chosen, rec.manual, rec.explanation) == (None, False, "收货省份未知")
    assert all(not c.available and c.reason.startswith("收货省份未知") for c in rec.candidates)


@pytest.mark.parametrize("weight_g, chosen", [(20_000, "ZTO"), (20_001, "DBKD")])
def test_weight_rule_edge(weight_g, chosen):
    assert choice.recommend(facts(weight_g=weight_g), CARDS, rules(), ENABLED).chosen == chosen


def test_the_sample_rate_card_with_the_example_rules():
    cards = rates.sample_rate_cards()
    rec = choice.recommend(facts(province="西藏", weight_g=1200), cards, rules(), ALL)
    assert (rec.chosen, {c.code: c.cost for c in rec.candidates}["POSTB"]) == ("POSTB", D("13.00"))
    assert [c.code for c in rec.candidates if not c.available] == ["ZTO", "YUNDA", "JTSD"]


def test_the_sellers_own_numbering_is_ignored_and_two_arrows_are_refused():
    parsed, errors = choice.parse_rules("1. 金额 > 500 → 顺丰\n2、金额 > 100 → 中通 → 圆通")
    assert [(r.number, r.line, r.carrier) for r in parsed] == [(1, 1, "SF")]
    assert [(e.line, e.code) for e in errors] == [(2, "two_arrows")]


def test_compact_and_full_width_spellings_parse():
    parsed = rules("金额＞５００→顺丰\n目的地：新疆、西藏 → 邮政\n留言包含顺丰→顺丰\n重量 ≥ 0.5kg → 中通\n重量 > 2斤 → 中通")
    assert [(r.conditions[0].kind, r.conditions[0].op) for r in parsed] == [
        ("amount", ">"), ("province", "in"), ("message", ""), ("weight", ">="), ("weight", ">"),
    ]  # fmt: skip
    assert (parsed[0].conditions[0].number, parsed[3].conditions[0].number) == (D(500), D(500))
    assert parsed[4].conditions[0].number == D(1000)

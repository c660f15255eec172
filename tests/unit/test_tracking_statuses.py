"""fahuo's one status language: every 快递100 code, AfterShip tags, and free text map to it."""

import pytest

from fahuo.tracking import statuses
from fahuo.tracking.statuses import RANK, Groups, Reason, TrackStatus, normalise

S = TrackStatus

# Every 快递100 `state` and resultv2 sub-state (FORMATS.md "Tracking status" and the SDKs' list), with
# the (status, reason) fahuo gives it when the context says nothing more.
KUAIDI100_EXPECTED = {
    "0": (S.IN_TRANSIT, ""),
    "1": (S.PICKED_UP, ""),
    "2": (S.EXCEPTION, "problem"),
    "3": (S.DELIVERED, ""),
    "4": (S.RETURNED, ""),
    "5": (S.OUT_FOR_DELIVERY, ""),
    "6": (S.RETURNING, ""),
    "7": (S.TRANSFERRED, ""),
    "8": (S.IN_TRANSIT, ""),
    "10": (S.IN_TRANSIT, ""),
    "11": (S.IN_TRANSIT, ""),
    "12": (S.IN_TRANSIT, ""),
    "13": (S.EXCEPTION, "customs"),
    "14": (S.REFUSED, ""),
    "101": (S.AWAITING_PICKUP, ""),
    "102": (S.AWAITING_PICKUP, ""),
    "103": (S.PICKED_UP, ""),
    "1001": (S.IN_TRANSIT, ""),
    "1002": (S.IN_TRANSIT, ""),
    "1003": (S.IN_TRANSIT, ""),
    "501": (S.IN_LOCKER, ""),
    "301": (S.DELIVERED, ""),
    "302": (S.DELIVERED, ""),
    "303": (S.DELIVERED, ""),
    "304": (S.DELIVERED, ""),
    "401": (S.EXCEPTION, "cancelled"),
    "201": (S.EXCEPTION, "overdue_unsigned"),
    "202": (S.STALE, "no_update"),
    "203": (S.REFUSED, ""),
    "204": (S.EXCEPTION, "delivery_failed"),
    "205": (S.EXCEPTION, "locker_overdue"),
    "206": (S.EXCEPTION, "unreachable"),
    "207": (S.EXCEPTION, "out_of_area"),
    "208": (S.EXCEPTION, "held"),
    "209": (S.EXCEPTION, "damage"),
    "210": (S.EXCEPTION, "cancelled"),
}


@pytest.mark.parametrize("code, expected", sorted(KUAIDI100_EXPECTED.items()))
def test_every_kuaidi100_code_maps_to_ours(code, expected):
    assert normalise(code) == expected
    assert normalise(int(code)) == expected


def test_the_table_knows_exactly_the_listed_codes_and_their_names():
    codes = {c for c in statuses.kuaidi100_codes() if c.isdigit()}
    assert codes == set(KUAIDI100_EXPECTED)
    # each code's Chinese name (a push item's `status`) maps like the code
    names = {"在途": "0", "揽收": "1", "疑难": "2", "签收": "3", "退签": "4", "派件": "5", "退回": "6", "转投": "7",
             "清关": "8", "待清关": "10", "清关中": "11", "已清关": "12", "清关异常": "13", "拒签": "14",
             "已下单": "101", "待揽收": "102", "已揽收": "103", "到达派件城市": "1001", "干线": "1002",
             "转递": "1003", "投柜或驿站": "501", "本人签收": "301", "派件异常后签收": "302", "代签": "303",
             "投柜或站签收": "304", "已销单": "401", "超时未签收": "201", "超时未更新": "202", "拒收": "203",
             "派件异常": "204", "柜或驿站超时未取": "205", "无法联系": "206", "超区": "207", "滞留": "208",
             "破损": "209", "销单": "210"}  # fmt: skip
    for name, code in names.items():
        assert normalise(name) == KUAIDI100_EXPECTED[code], name


def test_the_enum_is_exactly_fahuos_normalised_set():
    assert [s.value for s in TrackStatus] == [
        "awaiting_pickup", "picked_up", "in_transit", "out_for_delivery", "in_locker", "delivered", "exception",
        "refused", "returning", "returned", "transferred", "no_info", "stale",
    ]  # fmt: skip


def test_groups():
    assert Groups.FINAL == {S.DELIVERED, S.RETURNED}
    assert Groups.PROBLEM == {S.EXCEPTION, S.REFUSED, S.RETURNING, S.RETURNED, S.STALE}
    assert Groups.OPEN == set(TrackStatus) - Groups.FINAL
    assert set(RANK) == set(TrackStatus)
    assert (
        RANK[S.PICKED_UP]
        < RANK[S.IN_TRANSIT]
        < RANK[S.OUT_FOR_DELIVERY]
        < RANK[S.IN_LOCKER]
        < RANK[S.DELIVERED]
    )


@pytest.mark.parametrize(
    "code, text, expected",
    [
        # 在途 refined by the context: a locker, a delivery round, the return trip
        ("0", "快件已由济南历城区翡翠雅郡北区西门店代收，请及时取件", (S.IN_LOCKER, "")),
        ("0", "【济南市】快件正在派送中，派送员：张**", (S.OUT_FOR_DELIVERY, "")),
        ("0", "退回件已到达 杭州转运中心", (S.RETURNING, "")),
        # ... but never into the end of the journey or an exception by a boilerplate word
        ("0", "快件已签收", (S.IN_TRANSIT, "")),
        ("0", "快件已到达杭州转运中心，如有异常请联系客服", (S.IN_TRANSIT, "")),
        # 派件 refined only into a locker
        ("5", "快件已放入丰巢快递柜，取件码 3-2-1234", (S.IN_LOCKER, "")),
        ("5", "快件正在派送，请注意签收", (S.OUT_FOR_DELIVERY, "")),
        # 疑难 gets its reason from the context
        ("2", "快件在 杭州转运中心 发现外包装破损", (S.EXCEPTION, "damage")),
        ("2", "经核实，快件途中丢失", (S.EXCEPTION, "loss")),
        ("2", "快件滞留在网点", (S.EXCEPTION, "held")),
        ("2", "快件派送不成功，原因：收件人电话无人接听", (S.EXCEPTION, "unreachable")),
        ("2", "请联系客服", (S.EXCEPTION, "problem")),
        # a clear code is not second-guessed by the text, except that damage is noted
        ("3", "快件破损，收件人已签收", (S.DELIVERED, "damage")),
        ("1", "【杭州市】快递员已揽收", (S.PICKED_UP, "")),
    ],
)
def test_coarse_kuaidi100_codes_are_refined_by_the_context(code, text, expected):
    assert normalise(code, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("【河北省唐山市曹妃甸综合保税区公司】 已揽收 取件人: 刘亚军", (S.PICKED_UP, "")),
        ("快件已由 义乌分拨中心 揽收", (S.PICKED_UP, "")),
        ("顺丰速运 已收取快件", (S.PICKED_UP, "")),
        ("【济南转运中心】 已发出 下一站 【山东省济南市孙村公司】", (S.IN_TRANSIT, "")),
        ("【山东省济南市孙村公司】 派件中 派件人: 方彪", (S.OUT_FOR_DELIVERY, "")),
        ("快件正在派送中，请保持电话畅通，注意签收", (S.OUT_FOR_DELIVERY, "")),
        ("快件已到达【菜鸟驿站（翠苑店）】，请凭取件码领取", (S.IN_LOCKER, "")),
        ("快件已投递至快递柜", (S.IN_LOCKER, "")),
        ("快件已送达代收点", (S.IN_LOCKER, "")),
        ("客户签收人: 已签收，签收人凭取货码签收。", (S.DELIVERED, "")),
        ("您的快件已签收，签收人：本人", (S.DELIVERED, "")),
        ("您的快件派件异常后已签收", (S.DELIVERED, "")),
        ("您的快件已由 菜鸟驿站 代签收", (S.DELIVERED, "")),
        ("收件人拒收快件，快件将退回寄件人", (S.REFUSED, "")),
        ("客户拒签", (S.REFUSED, "")),
        ("快件因地址错误，已安排原单号退回寄件人", (S.RETURNING, "")),
        ("退件已发出", (S.RETURNING, "")),
        ("退回件已签收，签收人：寄件人", (S.RETURNED, "")),
        ("快件已退签", (S.RETURNED, "")),
        ("快件已转单，新单号 SF1385628716739", (S.TRANSFERRED, "")),
        ("快件已转寄新地址", (S.TRANSFERRED, "")),
        ("快件疑难，请联系客服", (S.EXCEPTION, "problem")),
        ("快件异常", (S.EXCEPTION, "problem")),
        ("快件滞留", (S.EXCEPTION, "held")),
        ("快件破损", (S.EXCEPTION, "damage")),
        ("快件丢失", (S.EXCEPTION, "loss")),
        ("卖家已下单，等待揽收", (S.AWAITING_PICKUP, "")),
        ("天气很好", (S.IN_TRANSIT, "")),  # a carrier wrote something: the parcel is somewhere
        ("", (S.NO_INFO, "")),
    ],
)
def test_free_text_keywords(text, expected):
    assert normalise(None, text) == expected
    assert normalise(None, text, source="generic") == expected


@pytest.mark.parametrize(
    "code, text, expected",
    [
        ("delivered", "", (S.DELIVERED, "")),
        ("in_transit", "快件已签收", (S.IN_TRANSIT, "")),  # ours is taken as said
        ("exception", "", (S.EXCEPTION, "problem")),
        ("exception", "快件滞留", (S.EXCEPTION, "held")),
        ("stale", "", (S.STALE, "no_update")),
        ("Delivered", "", (S.DELIVERED, "")),  # AfterShip tags
        ("OutForDelivery", "", (S.OUT_FOR_DELIVERY, "")),
        ("AvailableForPickup", "", (S.IN_LOCKER, "")),
        ("AttemptFail", "", (S.EXCEPTION, "delivery_failed")),
        ("Exception", "快件丢失", (S.EXCEPTION, "loss")),
        ("InfoReceived", "", (S.AWAITING_PICKUP, "")),
        ("Expired", "", (S.STALE, "no_update")),
        ("已签收", "", (S.DELIVERED, "")),  # a word: the keywords decide
        ("whatever", "快件已放入快递柜", (S.IN_LOCKER, "")),
        (None, "", (S.NO_INFO, "")),
    ],
)
def test_generic_status_words(code, text, expected):
    assert normalise(code, text, source="generic") == expected


def test_unknown_source_is_refused():
    with pytest.raises(ValueError):
        normalise("0", source="cainiao")  # type: ignore[arg-type]


def test_every_keyword_rule_names_a_known_status_and_reason():
    for status, reason, _ in statuses.keyword_rules():
        assert status in TrackStatus
        assert reason == "" or reason in {r.value for r in Reason}

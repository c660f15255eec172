"""The sandbox carrier's event streams: routes through real cities, the troubles, the clock, 快递100 pushes."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from random import Random
from zoneinfo import ZoneInfo

import pytest

from fahuo.tracking.sandbox import (
    COM,
    Place,
    Receiver,
    Scenario,
    due,
    generate,
    kuaidi100_abort,
    kuaidi100_push,
    kuaidi100_updateall,
    push_sequence,
    route,
    verify,
)
from fahuo.tracking.sandbox.routes import CITIES, find_city, km
from fahuo.tracking.sandbox.stream import KINDS, GeneratedEvent

SH = ZoneInfo("Asia/Shanghai")
SHIPPED = datetime(2025, 11, 20, 14, 5, tzinfo=SH)
HANGZHOU = Place("浙江省", "杭州市", "西湖区")
CHENGDU = Receiver("张三", "13800138000", "四川省", "成都市", "武侯区", "人民南路1号")
RECEIVERS = [
    CHENGDU,
    Receiver("李四", "13900139000", "北京市", "北京市", "朝阳区", "建国路1号"),
    Receiver("王五", "13700137000", "新疆维吾尔自治区", "喀什地区", "喀什市", "人民东路2号"),
    Receiver("赵六", "13600136000", "四川省", "甘孜藏族自治州", "康定市", "炉城路3号"),
    Receiver("钱七", "13500135000", "广东省", "东莞市", "", "长安镇长安中路4号"),
    Receiver("孙八", "13400134000", "浙江省", "杭州市", "余杭区", "文一西路5号"),
]


def stream(seed=7, scenario=None, receiver=CHENGDU, speed=1.0, origin=HANGZHOU):
    return generate("FH000000000042", origin, receiver, SHIPPED, Random(seed), scenario or Scenario.happy(),
                    speed)


def states(events: list[GeneratedEvent]) -> list[str]:
    return [e.state for e in events]


# ------------------------------------------------------------------------------------------------ routes


@pytest.mark.parametrize("rcv", RECEIVERS, ids=lambda r: r.city)
def test_a_route_starts_in_the_origin_city_and_ends_in_the_receivers_city(rcv):
    for seed in range(20):
        stops = route("杭州市", "浙江省", rcv.city, rcv.province, Random(seed), dest_district=rcv.district)
        assert (stops[0].city, stops[0].kind) == ("杭州市", "pickup")
        assert (stops[-1].city, stops[-1].kind) == (rcv.city, "delivery_station")
        assert stops[-2].kind == "dest_hub" and all(s.kind == "hub" for s in stops[1:-2])
        assert len(stops) <= 7


def test_a_route_crosses_the_country_through_hubs_roughly_on_the_way():
    seen = set()
    for seed in range(50):
        stops = route("杭州市", "浙江省", "乌鲁木齐市", "新疆维吾尔自治区", Random(seed))
        direct = km(stops[1], stops[-2])
        for hub in stops[2:-2]:
            assert km(stops[1], hub) + km(hub, stops[-2]) <= 1.15 * direct
            seen.add(hub.city)
        assert [s.hub_name for s in stops[1:-1]] == [CITIES[s.city].hub for s in stops[1:-1]]
    assert seen and "上海市" not in seen  # never backwards first


def test_same_city_and_same_province_routes_are_short():
    same_city = route("杭州市", "浙江省", "杭州市", "浙江省", Random(1), dest_district="余杭区")
    assert [s.kind for s in same_city] == ["pickup", "dest_hub", "delivery_station"]
    assert same_city[-1].hub_name == "杭州余杭区网点"
    same_province = route("杭州市", "浙江省", "宁波市", "浙江省", Random(1))
    assert [s.city for s in same_province] == ["杭州市", "杭州市", "宁波市", "宁波市"]


def test_unknown_cities_are_served_from_their_province_and_hk_is_refused():
    assert find_city("康定市", "四川省").province == "四川省"
    assert find_city("成都", "四川").name == "成都市"
    with pytest.raises(ValueError):
        find_city("香港", "香港特别行政区")


# ------------------------------------------------------------------------------------------------ streams


def test_same_seed_same_stream_and_another_seed_another():
    assert stream(3, Scenario()) == stream(3, Scenario())
    assert stream(3) != stream(4)


def test_receiver_may_be_a_demo_receiver_dict():
    rec = {"name": "张三", "mobile": "13800138000", "province": "四川省", "city": "成都市", "district": "武侯区",
           "detail": "人民南路1号"}
    assert stream(5, receiver=rec) == stream(5)


@pytest.mark.parametrize("kind", [None, *KINDS])
def test_times_are_monotonic_aware_shanghai_and_after_shipping(kind):
    sc = Scenario.only(kind) if kind else Scenario()
    for seed in range(30):
        for rcv in RECEIVERS:
            ev = stream(seed, sc, rcv)
            assert ev and all(e.at.utcoffset() == timedelta(hours=8) for e in ev)
            assert SHIPPED < ev[0].at and all(a.at < b.at for a, b in zip(ev, ev[1:], strict=False))


def test_a_normal_parcel_is_picked_up_in_hours_travels_and_is_signed_in_the_receivers_city():
    for seed in range(40):
        ev = stream(seed)
        assert ev[0].state == "1" and timedelta(hours=1) <= ev[0].at - SHIPPED <= timedelta(hours=6, minutes=1)
        assert ev[0].area_name == "杭州市" and "揽收" in ev[0].context
        assert ev[-1].state == "3" and ev[-1].area_name == "成都市" and "签收" in ev[-1].context
        out = [e for e in ev if e.step == "out_for_delivery"]
        assert len(out) == 1 and 8 <= out[0].at.hour < 11 and out[0].state == "5"
        assert ev[-1].at.date() == out[0].at.date() or ev[-2].step == "in_locker"
        assert set(states(ev)) <= {"0", "1", "3", "5"} and ev[-1].scenario_tag == "normal"
        assert all(e.context.startswith(f"【{e.area_name}】") for e in ev)
    lockers = [stream(s)[-2] for s in range(40)]
    assert any(e.step == "in_locker" and e.sub_state == "501" and "取件码" in e.context for e in lockers)


def test_late_pickup_takes_more_than_a_day():
    ev = stream(1, Scenario.only("late_pickup"))
    assert ev[0].at - SHIPPED > timedelta(hours=24) and ev[0].scenario_tag == "late_pickup"


def test_a_stall_is_a_long_silence_in_transit():
    for seed in range(10):
        ev = stream(seed, Scenario.only("stall"))
        assert max(b.at - a.at for a, b in zip(ev, ev[1:], strict=False)) >= timedelta(hours=48)
        assert ev[-1].state == "3"


def test_problem_parcels_show_a_yinan_with_its_reason():
    for seed in range(20):
        ev = stream(seed, Scenario.only("problem"))
        problem = [e for e in ev if e.state == "2"]
        assert len(problem) == 1 and "原因" in problem[0].context
        again = [e for e in ev if e.step == "out_for_delivery" and e.at > problem[0].at]
        assert ev[-1] is problem[0] or (ev[-1].state == "3" and len(again) == 1)


def test_refused_parcels_are_refused_then_return_and_the_sender_signs():
    ev = stream(2, Scenario.only("refused"))
    s = states(ev)
    assert "14" in s and s.index("14") < s.index("6") and s[-1] == "4"
    assert set(s[s.index("6"):-1]) == {"6"} and ev[-1].area_name == "杭州市"


def test_returned_parcels_go_back_without_a_refusal():
    s = states(stream(2, Scenario.only("returned")))
    assert "14" not in s and "6" in s and s[-1] == "4"


def test_damaged_parcels_report_the_broken_box_and_still_arrive():
    ev = stream(2, Scenario.only("damaged"))
    assert any(e.state == "2" and "外包装破损" in e.context for e in ev) and ev[-1].state == "3"


def test_lost_parcels_stop_after_a_hub_silently_or_with_a_loss_report():
    endings = set()
    for seed in range(20):
        ev = stream(seed, Scenario.only("lost"))
        assert "3" not in states(ev)
        endings.add("report" if ev[-1].state == "2" and "丢失" in ev[-1].context else ev[-1].step)
    assert endings == {"report", "depart"}


def test_transfer_ends_with_the_new_carrier_and_number():
    ev = stream(2, Scenario.only("transfer"))
    assert ev[-1].state == "7" and "新单号" in ev[-1].context


def test_modifiers_combine_with_an_outcome_and_outcomes_are_exclusive():
    assert stream(3, Scenario.only("late_pickup", "refused"))[0].scenario_tag == "late_pickup+refused"
    with pytest.raises(ValueError):
        Scenario.only("refused", "lost")
    with pytest.raises(ValueError):
        Scenario(problem=1.5)


def test_default_probabilities_are_small():
    tags = [stream(seed, Scenario())[0].scenario_tag for seed in range(400)]
    assert 0.6 < tags.count("normal") / len(tags) < 0.9


def test_same_city_parcels_are_quick():
    local = Receiver("孙八", "13400134000", "浙江省", "杭州市", "余杭区", "文一西路5号")
    for seed in range(20):
        near, far = stream(seed, receiver=local), stream(seed)
        assert len(near) < len(far)
        near_out, far_out = ([e.at for e in ev if e.step == "out_for_delivery"][0] for ev in (near, far))
        assert near_out < far_out and near_out - SHIPPED < timedelta(hours=48)


def test_speed_compresses_every_duration():
    slow, fast = stream(9, Scenario.only("refused")), stream(9, Scenario.only("refused"), speed=60)
    assert [(e.state, e.context) for e in slow] == [(e.state, e.context) for e in fast]
    for a, b in zip(slow, fast, strict=False):
        assert abs((a.at - SHIPPED) / 60 - (b.at - SHIPPED)) < timedelta(milliseconds=1)


def test_due_releases_what_has_happened():
    ev = stream(4, speed=60)
    assert due(ev, SHIPPED) == []
    assert due(ev, ev[3].at) == ev[:4]
    assert due(ev, ev[-1].at + timedelta(days=1)) == ev


# ------------------------------------------------------------------------------------------------ pushes


def test_a_push_body_is_signed_md5_of_param_plus_salt_and_shaped_like_kuaidi100():
    ev = stream(7)
    body = kuaidi100_push("FH000000000042", COM, ev, salt="s3cret")
    assert body["sign"] == hashlib.md5((body["param"] + "s3cret").encode()).hexdigest().upper()
    assert verify(body["param"], body["sign"], "s3cret") and not verify(body["param"], body["sign"], "other")
    p = json.loads(body["param"])
    assert (p["status"], p["autoCheck"], p["comNew"]) == ("polling", "0", "")
    lr = p["lastResult"]
    assert (lr["message"], lr["status"], lr["com"], lr["nu"], COM) == ("ok", "200", "demo", "FH000000000042", "demo")
    assert (lr["state"], lr["ischeck"]) == ("3", "1")
    assert [d["time"] for d in lr["data"]] == sorted((d["time"] for d in lr["data"]), reverse=True)
    newest, oldest = lr["data"][0], lr["data"][-1]
    assert newest["status"] == "签收" and newest["areaName"] == "四川,成都市" and newest["ftime"] == newest["time"]
    assert oldest["status"] == "揽收" and oldest["context"] == ev[0].context
    assert oldest["time"] == ev[0].at.strftime("%Y-%m-%d %H:%M:%S")


def test_a_push_before_signing_is_not_checked():
    lr = json.loads(kuaidi100_push("FH1", COM, stream(7)[:3])["param"])["lastResult"]
    assert (lr["state"], lr["ischeck"], len(lr["data"])) == ("0", "0", 3)


def test_updateall_abort_and_advanced_codes():
    ev = stream(7)
    up = json.loads(kuaidi100_updateall("FH1", COM, ev, "x")["param"])
    assert up["status"] == "updateall" and len(up["lastResult"]["data"]) == len(ev)
    ab = json.loads(kuaidi100_abort("FH1", "yuantong", "demo", "x")["param"])
    assert (ab["status"], ab["autoCheck"], ab["comOld"], ab["comNew"]) == ("abort", "0", "", "demo")
    assert ab["lastResult"]["com"] == "yuantong" and ab["message"]
    v2 = json.loads(kuaidi100_push("FH1", COM, ev, resultv2=True)["param"])["lastResult"]["data"]
    assert v2[-1]["statusCode"] == "103" and v2[0]["statusCode"] in {"301", "303", "304"}


def test_push_sequence_one_cumulative_push_per_event_shutdown_at_the_end_with_duplicates():
    ev = stream(2, Scenario.only("refused"))
    pushes = push_sequence("FH1", ev, "x")
    assert len(pushes) == len(ev)
    params = [json.loads(p.body["param"]) for p in pushes]
    assert [len(p["lastResult"]["data"]) for p in params] == list(range(1, len(ev) + 1))
    assert [p["status"] for p in params][-2:] == ["polling", "shutdown"]
    assert params[-1]["lastResult"]["state"] == "4"
    dup = push_sequence("FH1", ev, "x", duplicates=0.5, rng=Random(1))
    assert len(dup) > len(ev) and {p.body["param"] for p in dup} == {p.body["param"] for p in pushes}
    assert all(verify(p.body["param"], p.body["sign"], "x") for p in dup)

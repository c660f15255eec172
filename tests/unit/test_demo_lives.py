"""The demo's chosen sandbox lives: deterministic, and what the player replays is what was planned."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fahuo.demo.lives import LIFE_KEY, WANTS, plan, read, stream_args
from fahuo.tracking.exception_rules import Limits
from fahuo.tracking.sandbox import Place, Receiver, due, generate

NOW = datetime(2026, 11, 24, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
ORIGIN = Place("浙江省", "杭州市", "")
RCV = Receiver("张三", "13800138000", "四川省", "成都市", "武侯区", "人民南路1号")
BY_LABEL = {w.label: w for w in WANTS}


def test_a_parcel_without_a_life_plays_its_own_seeded_stream():
    assert stream_args({}, RCV, 42) == (RCV, 42, None, 1.0)


def test_a_stored_life_sets_seed_troubles_speed_and_where_it_really_goes():
    rcv, seed, scenario, speed = stream_args(
        {"seed": 7, "kinds": ["refused"], "locker": 1.0, "speed": 20.0, "to": ["江苏省", "苏州市", "姑苏区"]}, RCV, 42)
    assert (rcv.province, rcv.city, rcv.district, rcv.name, seed, speed) == ("江苏省", "苏州市", "姑苏区", "张三", 7, 20.0)
    assert scenario is not None and (scenario.refused, scenario.problem, scenario.locker) == (1.0, 0.0, 1.0)


@pytest.mark.parametrize("label", ["out_for_delivery", "refused", "lost", "too_fast", "city_mismatch", "stale"])
def test_plan_finds_a_life_that_ends_where_wanted_and_replays_the_same(label):
    want = BY_LABEL[label]
    life = plan(want, number="FH000000000042", order_no="1", origin=ORIGIN, receiver=RCV, now=NOW, limits=Limits())
    assert life is not None and life == plan(want, number="FH000000000042", order_no="1", origin=ORIGIN,
                                             receiver=RCV, now=NOW, limits=Limits())
    # the player's side: the stored life → the same stream → the wanted status at NOW
    rcv, seed, scenario, speed = stream_args(life.stored(), RCV, 999)
    shipped = (NOW - timedelta(hours=life.hours)).replace(microsecond=0)
    state = read("FH000000000042", due(generate("FH000000000042", ORIGIN, rcv, shipped, seed, scenario, speed=speed),
                                       NOW))
    assert state is not None and str(state.status) == want.status
    assert LIFE_KEY == "sandbox_life" and life.stored()["label"] == label


def test_there_is_no_out_for_delivery_round_at_night():
    night = NOW.replace(hour=22)
    assert plan(BY_LABEL["out_for_delivery"], number="FH000000000042", order_no="1", origin=ORIGIN, receiver=RCV,
                now=night, limits=Limits()) is None

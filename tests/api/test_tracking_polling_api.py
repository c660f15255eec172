"""POST /api/tracking/poll: the owner runs a polling round now; other roles are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fahuo.core import clock
from fahuo.tracking.models import ParcelTrack
from fahuo.tracking.services import subscriptions
from fahuo.tracking.sources.base import SourceError
from tests import factories as f

pytestmark = pytest.mark.django_db


class FakeSource:
    name = "fake"
    min_poll_interval = timedelta(minutes=30)

    def __init__(self) -> None:
        self.polls: list[str] = []

    def subscribe(self, *args):  # pragma: no cover - not used here
        raise AssertionError

    def poll(self, number, com, phone_last4):
        self.polls.append(number)
        if number.endswith("0"):
            raise SourceError("unavailable", "down")
        return []


@pytest.fixture
def fake(monkeypatch) -> FakeSource:
    source = FakeSource()
    monkeypatch.setattr(subscriptions, "source_for", lambda carrier: source)
    return source


def due_track(number: str) -> ParcelTrack:
    p = f.shipped_parcel(number=number, carrier="YTO")
    return ParcelTrack.objects.create(parcel=p, number=number, carrier="YTO", mode="poll",
                                      next_poll_at=clock.now() - timedelta(minutes=1))


def test_owner_runs_a_polling_round_and_gets_the_counts(api, fake):
    due_track("YT8962646785389")
    due_track("YT8962646785380")
    r = api.post("/api/tracking/poll", {"limit": 10})
    assert r.status_code == 200, r.content
    assert r.json() == {"due": 2, "claimed": 2, "polled": 2, "skipped": 0, "events": 0, "stored": 0, "failed": 1,
                        "rate_limited": 0}
    assert sorted(fake.polls) == ["YT8962646785380", "YT8962646785389"]
    r = api.post("/api/tracking/poll")
    assert (r.status_code, r.json()["due"]) == (200, 0)


def test_the_limit_caps_the_round(api, fake):
    due_track("YT8962646785389")
    due_track("YT8962646785381")
    assert api.post("/api/tracking/poll", {"limit": 1}).json()["polled"] == 1


def test_packers_and_cs_may_not_poll(packer_api, cs_api, fake):
    for client in (packer_api, cs_api):
        r = client.post("/api/tracking/poll", {})
        assert r.status_code == 403
        assert r.json() == {"code": "forbidden", "message": "只有店主可以立即查询物流 (owner only)",
                            "data": {"action": "poll"}}
    assert fake.polls == []


def test_a_bad_limit_is_refused(api, fake):
    assert api.post("/api/tracking/poll", {"limit": "lots"}).status_code == 422

"""A small exception queue for the tracking page, API and browser tests, seeded through the factories, the
ingest service and the sweep (not raw case rows):

- a ready order whose ship-by passed 4 days ago        → ship_by_passed (urgent, since ship_by, > 3 days)
- a parcel shipped 32 h ago with no 揽收                → no_pickup (urgent, since shipped + 24 h = 8 h ago)
- a parcel picked up, in transit, refused 2 h ago       → refused (warning, since 2 h ago)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from fahuo.fulfilment.models import Parcel
from fahuo.orders.models import Order
from fahuo.tracking.events import Event
from fahuo.tracking.models import ExceptionCase
from fahuo.tracking.services.ingest import ingest
from fahuo.tracking.services.sweep import sweep
from fahuo.tracking.statuses import TrackStatus as S
from tests import factories as f

H = timedelta(hours=1)
REFUSED_NO = "YT8962646785389"
NO_PICKUP_NO = "YT8000000000001"

# the refused parcel's trace, oldest first: (hours before now, status, context, city)
TRACE = [
    (48, S.PICKED_UP, "【杭州市】圆通速递 西湖区文三路营业部 已揽收", "杭州市"),
    (40, S.IN_TRANSIT, "【杭州市】已离开 杭州转运中心；发往 北京转运中心", "杭州市"),
    (20, S.IN_TRANSIT, "【北京市】已到达 北京转运中心", "北京市"),
    (2, S.REFUSED, "【北京市】收件人拒签，原因：不想要了", "北京市"),
]


@dataclass
class Seeded:
    now: datetime
    late: Order
    no_pickup: Parcel
    refused: Parcel

    def case(self, type_: str) -> ExceptionCase:
        return ExceptionCase.objects.get(type=type_)


def seed(now: datetime | None = None) -> Seeded:
    now = now or timezone.now()
    late = f.order(status="ready", amount="99.00", paid_minutes_ago=6 * 24 * 60, name="王五", phone="13700001111")
    nop = f.shipped_parcel(number=NO_PICKUP_NO, shipped_at=now - 32 * H, name="赵六", phone="13600002222")
    ref = f.shipped_parcel(number=REFUSED_NO, shipped_at=now - 50 * H, name="张三丰", phone="13812345678")
    ingest([Event(REFUSED_NO, "YTO", now - h * H, st, "", ctx, city, "", "test") for h, st, ctx, city in TRACE],
           now=now)
    sweep(now=now)
    return Seeded(now=now, late=late, no_pickup=nop, refused=ref)

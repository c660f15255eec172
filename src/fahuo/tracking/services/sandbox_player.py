"""The sandbox player: the 演示快递 (DEMO) parcels live their generated lives as time passes.

For each shipped DEMO parcel not yet final, the stream is generated (deterministic: seeded by the parcel id,
from the shop's sender city or 杭州 to the receiver) and the events due by `now` are ingested through the
same path as real pushes (the 快递100 parser). FAHUO_SANDBOX_SPEED speeds the clock up (60: a day in 24 min).
"""

from __future__ import annotations

import os

from fahuo.core import clock
from fahuo.core.models import ShopSettings
from fahuo.fulfilment.models import Parcel
from fahuo.tracking.events import parse_kuaidi100_push
from fahuo.tracking.sandbox import COM, Place, Receiver, due, generate, kuaidi100_push
from fahuo.tracking.services.exceptions import sender_place
from fahuo.tracking.services.ingest import ingest
from fahuo.tracking.statuses import Groups

DEFAULT_ORIGIN = Place("浙江省", "杭州市", "")
_FINAL = [str(s) for s in Groups.FINAL]


def speed() -> float:
    try:
        return max(float(os.environ.get("FAHUO_SANDBOX_SPEED", "1") or 1), 0.001)
    except ValueError:
        return 1.0


def origin() -> Place:
    province, city = sender_place(ShopSettings.get().sender_address)
    return Place(province, city, "") if province and city else DEFAULT_ORIGIN


def stream(parcel: Parcel, *, org: Place | None = None, speed_factor: float | None = None):
    from fahuo.demo.lives import LIFE_KEY, stream_args

    o = parcel.order
    rcv = Receiver(o.receiver_name, o.receiver_phone, o.province, o.city, o.district, o.detail)
    # a life the demo chose for this parcel (fahuo.demo.lives), else the parcel's own, seeded by its id
    rcv, seed, scenario, factor = stream_args((parcel.routing or {}).get(LIFE_KEY) or {}, rcv, parcel.pk)
    return generate(parcel.waybill, org or origin(), rcv, parcel.shipped_at, seed, scenario,
                    speed=(speed_factor or speed()) * factor)


def play(now=None) -> int:
    """Ingest the due events of every live DEMO parcel; returns how many events were new."""
    now = now or clock.now()
    org, sp = origin(), speed()
    stored = 0
    parcels = (Parcel.objects.filter(state=Parcel.State.SHIPPED, carrier_code="DEMO", shipped_at__isnull=False,
                                     waybill__isnull=False).exclude(track__status__in=_FINAL)
               .select_related("order").order_by("pk"))
    for p in parcels.iterator(chunk_size=200):
        events = due(stream(p, org=org, speed_factor=sp), now)
        if not events:
            continue
        push = parse_kuaidi100_push(kuaidi100_push(p.waybill, COM, events, resultv2=True)["param"])
        stored += ingest(push.events, now=now).stored
    return stored

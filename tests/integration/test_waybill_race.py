"""One waybill number is never on two parcels, even when several phones type it at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from fahuo.core.errors import Conflict
from fahuo.fulfilment.models import Parcel
from fahuo.fulfilment.services import numbers
from fahuo.fulfilment.services.waves import WaveFilter, create_wave
from fahuo.orders.services import decide
from tests import factories as f

WORKERS = 6


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_racing_phones_cannot_put_one_number_on_two_parcels():
    f.sku("A", stock=100)
    orders = [f.order(("A", 1)) for _ in range(WORKERS)]
    for o in orders:
        decide.confirm(order_no=o.order_no, by=None)
    create_wave(by=None, filters=WaveFilter(order_nos=[o.order_no for o in orders]))
    Parcel.objects.update(waybill=None, carrier_code="YTO")
    ids = list(Parcel.objects.values_list("pk", flat=True))
    results: list[str] = []
    barrier = threading.Barrier(WORKERS)

    def type_number(pid: int) -> None:
        try:
            barrier.wait()
            numbers.set_number(parcel_code=f"P{pid}", number="YT8962646785389")
            results.append("ok")
        except Conflict as e:
            results.append(e.code)
        except Exception as e:  # noqa: BLE001
            results.append(repr(e))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=type_number, args=(pid,)) for pid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(results) == ["ok"] + ["waybill_taken"] * (WORKERS - 1)
    assert Parcel.objects.filter(waybill="YT8962646785389").count() == 1

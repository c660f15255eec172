"""Change a parcel's carrier by hand (one tap on the wave page): the old number is dropped, a new one issued."""

from __future__ import annotations

from django.db import transaction

from fahuo.carriers import catalog
from fahuo.core.errors import Conflict, InvalidInput, NotFound
from fahuo.fulfilment.models import Parcel
from fahuo.fulfilment.services import numbers
from fahuo.fulfilment.services.parcels import orders_of
from fahuo.orders.services.timeline import record


@transaction.atomic
def change_carrier(*, parcel_id: int, carrier_code: str, by=None) -> Parcel:
    """Only a parcel still to be packed may change carrier: its label has not gone on a box yet.

    The old waybill number is released from the parcel (a pool number stays used: it may have been printed),
    the carrier's own source gives a new one (sandbox, pool), or the packer types one at the bench (manual)."""
    carrier = catalog.find(carrier_code)
    if carrier is None:
        raise InvalidInput(f"未知的快递公司 {carrier_code} (unknown carrier)", code="unknown_carrier")
    parcel = Parcel.objects.select_for_update().select_related("order").filter(pk=parcel_id).first()
    if parcel is None:
        raise NotFound(f"包裹 P{parcel_id} 不存在 (parcel not found)", code="parcel_not_found")
    if parcel.carrier_code == carrier_code:
        return parcel
    if parcel.state != Parcel.State.OPEN:
        raise Conflict(f"包裹状态为“{parcel.get_state_display()}”，不能再换快递 (only a parcel still to be packed "
                       f"can change carrier)", code="parcel_not_open", state=parcel.state)
    old_code, old_number = parcel.carrier_code, parcel.waybill
    parcel.carrier_code, parcel.carrier_rule = carrier_code, f"人工改为{carrier.name_zh}"
    parcel.waybill, parcel.waybill_source, parcel.waybill_suspect, parcel.routing = None, "", False, {}
    parcel.label_prints = 0
    parcel.save(update_fields=["carrier_code", "carrier_rule", "waybill", "waybill_source", "waybill_suspect",
                               "routing", "label_prints"])
    numbers.issue(parcel=parcel, by=by)
    for o in orders_of(parcel):
        record(o, "carrier_changed", by=by,
               message=f"快递 {old_code or '—'} → {carrier_code}" + (f"，作废运单号 {old_number}" if old_number else "")
               + (f"，新运单号 {parcel.waybill}" if parcel.waybill else "，待输入运单号"),
               parcel=parcel.pk, carrier=carrier_code, old_carrier=old_code, old_waybill=old_number or "")
    return parcel

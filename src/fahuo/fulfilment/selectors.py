"""Reads for waves, parcels, handovers and exports."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from fahuo.fulfilment import documents as d
from fahuo.fulfilment.models import BatchExport, Document, Handover, Parcel, Wave


def waves(*, state: str = "") -> QuerySet[Wave]:
    qs = Wave.objects.annotate(
        n_parcels=Count("parcels", filter=~Q(parcels__state="cancelled")),
        n_packed=Count("parcels", filter=Q(parcels__state="packed")),
        n_shipped=Count("parcels", filter=Q(parcels__state="shipped")),
    )
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-id")


def wave_parcels(wave: Wave) -> QuerySet[Parcel]:
    return (Parcel.objects.filter(wave=wave).select_related("order")
            .prefetch_related("items__line__sku").order_by("id"))


def pick_rows(wave: Wave) -> list[d.PickRow]:
    """The pick list summed by SKU and sorted by location (the same rows as the PDF)."""
    from fahuo.fulfilment.services.docs import pick_list_data

    parcels = list(wave_parcels(wave).exclude(state="cancelled"))
    return pick_list_data(wave, parcels).rows()


def parcel_detail(parcel_id: int) -> Parcel:
    return (Parcel.objects.select_related("order", "wave", "handover")
            .prefetch_related("items__line__sku", "items__line__order", "scans").get(pk=parcel_id))


def documents(wave: Wave) -> QuerySet[Document]:
    return wave.documents.order_by("-id")


def handovers() -> QuerySet[Handover]:
    return Handover.objects.annotate(n=Count("parcels")).order_by("-id")


def exports() -> QuerySet[BatchExport]:
    return BatchExport.objects.select_related("by").order_by("-id")


def packed_waiting(carrier_code: str = "") -> QuerySet[Parcel]:
    qs = Parcel.objects.filter(state=Parcel.State.PACKED).select_related("order")
    if carrier_code:
        qs = qs.filter(carrier_code=carrier_code)
    return qs.order_by("packed_at", "id")


def parcel_dict(p: Parcel, *, user=None) -> dict:
    """The JSON shape of a parcel (API, CLI), receiver masked for packers."""
    from fahuo.core.masking import receiver_for

    o = p.order
    r = receiver_for(user, name=o.receiver_name, phone=o.receiver_phone, detail=o.detail)
    return {
        "id": p.pk, "code": f"P{p.pk}", "order_no": o.order_no, "wave": p.wave.no if p.wave_id else None,
        "seq": p.seq, "state": p.state, "carrier": p.carrier_code, "carrier_rule": p.carrier_rule,
        "waybill": p.waybill, "waybill_source": p.waybill_source, "waybill_suspect": p.waybill_suspect,
        "routing": p.routing, "weight_g": p.weight_g, "label_prints": p.label_prints,
        "receiver": {"name": r["name"], "phone": r["phone"], "province": o.province, "city": o.city,
                     "district": o.district, "detail": r["detail"]},
        "items": [{"id": it.pk, "order_no": it.line.order.order_no, "sku": it.line.sku.code if it.line.sku_id else None,
                   "barcode": it.line.sku.barcode if it.line.sku_id else "", "title": it.line.title,
                   "qty": it.qty, "scanned": it.scanned} for it in p.items.all()],
        "packed_at": p.packed_at.isoformat() if p.packed_at else None,
        "shipped_at": p.shipped_at.isoformat() if p.shipped_at else None,
    }

"""Wave PDFs (labels, pick list, packing slips), rendered by the worker with progress, streamed page by page."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F

from fahuo.core import clock
from fahuo.core.errors import InvalidInput
from fahuo.core.models import ShopSettings
from fahuo.fulfilment import documents as d
from fahuo.fulfilment.models import Document, Parcel, Wave

SIZES = ("76x130", "100x180", "a4")


def request(*, wave_id: int, kind: str, size: str = "", by=None) -> Document:
    """Queue a PDF for the wave (after commit); the page polls the Document for progress."""
    from fahuo import jobs

    if kind not in Document.Kind.values:
        raise InvalidInput(f"未知的单据类型 {kind} (unknown document kind)", code="bad_document_kind")
    wave = Wave.objects.get(pk=wave_id)
    size = size or wave.label_size
    if kind == Document.Kind.LABELS and size not in SIZES:
        raise InvalidInput(f"面单尺寸只能是 {', '.join(SIZES)} (unknown label size)", code="bad_label_size")
    with transaction.atomic():
        doc = Document.objects.create(wave=wave, kind=kind, size=size, created_by=by,
                                      total=Parcel.objects.filter(wave=wave).exclude(state="cancelled").count())
        transaction.on_commit(lambda: jobs.render_document(doc.pk))
    return doc


def _parcels(wave: Wave):
    return (Parcel.objects.filter(wave=wave).exclude(state=Parcel.State.CANCELLED)
            .select_related("order").prefetch_related("items__line__sku", "items__line__order").order_by("id"))


def _sender() -> d.Party:
    s = ShopSettings.get()
    return d.Party(name=s.sender_name or s.shop_name or "发货人", phone=s.sender_phone, address=s.sender_address)


def _receiver(o) -> d.Receiver:
    phone = o.receiver_phone + (f"-{o.phone_ext}" if o.phone_ext else "")
    return d.Receiver(name=o.receiver_name, phone=phone, province=o.province, city=o.city, district=o.district,
                      detail=o.detail)


def label_data(parcels, *, masked: bool) -> Iterator[d.LabelData]:
    from fahuo.carriers.services import carrier_name

    sender, now = _sender(), clock.now()
    for p in parcels:
        if not p.waybill:
            continue
        o = p.order
        items = [f"{it.line.sku.code if it.line.sku_id else it.line.title} ×{it.qty}" for it in p.items.all()]
        orders = sorted({it.line.order.order_no for it in p.items.all()} | {o.order_no})
        r = p.routing or {}
        yield d.LabelData(
            waybill=p.waybill, carrier_code=p.carrier_code, carrier_name=carrier_name(p.carrier_code),
            receiver=_receiver(o), sender=sender, masked=masked, items=tuple(items), buyer_message=o.buyer_message,
            order_nos=tuple(orders), parcel_no=p.seq, parcel_count=max(p.seq, o.parcels.exclude(state="cancelled").count()),
            routing=d.Routing(big_pen=r.get("big_pen", ""), sort_code=r.get("sort_code", ""),
                              hub_name=r.get("hub_name", ""), hub_code=r.get("hub_code", "")),
            printed_at=now, reprint=p.label_prints)


def render(doc_id: int) -> Document:
    """Render one queued document. Safe to re-run: a finished document is left alone."""
    doc = Document.objects.select_related("wave").get(pk=doc_id)
    if doc.state == Document.State.DONE:
        return doc
    Document.objects.filter(pk=doc_id).update(state=Document.State.RUNNING, error="")
    out_dir = Path(settings.DATA_DIR) / "documents"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{doc.wave.no}-{doc.kind}-{uuid.uuid4().hex[:8]}.pdf"

    def progress(n: int) -> None:
        Document.objects.filter(pk=doc_id).update(done=n)

    try:
        parcels = list(_parcels(doc.wave))
        with open(path, "wb") as out:
            if doc.kind == Document.Kind.LABELS:
                from fahuo.fulfilment.labels import render_labels

                masked = ShopSettings.get().privacy_labels
                n = render_labels(label_data(parcels, masked=masked), out, size=doc.size, progress=progress,
                                  title=f"{doc.wave.no} 面单")
                Parcel.objects.filter(pk__in=[p.pk for p in parcels if p.waybill]).update(
                    label_prints=F("label_prints") + 1)
            elif doc.kind == Document.Kind.PICKLIST:
                from fahuo.fulfilment.picklists import render_pick_list

                n = render_pick_list(pick_list_data(doc.wave, parcels), out)
            else:
                from fahuo.fulfilment.picklists import render_packing_slips

                n = render_packing_slips(slip_data(doc.wave, parcels), out, progress=progress)
    except Exception as e:
        Document.objects.filter(pk=doc_id).update(state=Document.State.FAILED, error=str(e)[:2000],
                                                  finished_at=clock.now())
        path.unlink(missing_ok=True)
        raise
    Document.objects.filter(pk=doc_id).update(state=Document.State.DONE, path=str(path), done=n,
                                              finished_at=clock.now())
    doc.refresh_from_db()
    return doc


def pick_list_data(wave: Wave, parcels) -> d.PickListData:
    from fahuo.inventory.models import StockLevel

    sku_ids = {it.line.sku_id for p in parcels for it in p.items.all() if it.line.sku_id}
    loc = {}
    for lv in StockLevel.objects.filter(sku_id__in=sku_ids).select_related("location").order_by("location__sort",
                                                                                                 "location__code"):
        loc.setdefault(lv.sku_id, lv.location.code)
    lines = [d.PickLine(sku=it.line.sku.code if it.line.sku_id else it.line.title, name=it.line.title, qty=it.qty,
                        location=loc.get(it.line.sku_id, ""), spec=it.line.spec)
             for p in parcels for it in p.items.all()]
    return d.PickListData(wave_no=wave.no, lines=tuple(lines), created_at=clock.now(),
                          order_count=len({it.line.order_id for p in parcels for it in p.items.all()}),
                          parcel_count=len(parcels))


def slip_data(wave: Wave, parcels) -> Iterator[d.PackingSlipData]:
    from fahuo.carriers.services import carrier_name

    masked = ShopSettings.get().privacy_labels
    shop = ShopSettings.get().shop_name
    for p in parcels:
        o = p.order
        yield d.PackingSlipData(
            order_nos=tuple(sorted({it.line.order.order_no for it in p.items.all()} | {o.order_no})),
            receiver=_receiver(o), masked=masked,
            lines=tuple(d.SlipLine(sku=it.line.sku.code if it.line.sku_id else "", name=it.line.title, qty=it.qty,
                                   spec=it.line.spec) for it in p.items.all()),
            buyer_message=o.buyer_message, seller_memo=o.seller_memo, shop_name=shop,
            carrier_name=carrier_name(p.carrier_code) if p.carrier_code else "", waybill=p.waybill or "",
            parcel_no=p.seq, wave_no=wave.no, printed_at=clock.now())

"""Reads of stock: per-SKU totals, the ledger, and what open orders will still need."""

from __future__ import annotations

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from fahuo.inventory.models import Movement, Sku, StockLevel

# orders that will need stock but hold none yet
_WAITING = ["review", "held", "short"]


def stock_rows(*, q: str = "", sku_codes: list[str] | None = None) -> list[dict]:
    """One row per SKU: on hand, allocated, available, waiting (needed by open unallocated orders), projected."""
    skus = Sku.objects.filter(active=True)
    if q:
        skus = skus.filter(Q(code__icontains=q) | Q(title__icontains=q) | Q(barcode=q))
    if sku_codes:
        skus = skus.filter(code__in=sku_codes)
    skus = skus.annotate(
        on_hand_sum=Coalesce(Sum("levels__on_hand"), 0),
        allocated_sum=Coalesce(Sum("levels__allocated"), 0),
    ).order_by("code")
    waiting = waiting_by_sku()
    rows = []
    for s in skus:
        available = s.on_hand_sum - s.allocated_sum
        w = waiting.get(s.pk, 0)
        rows.append({"sku": s.code, "title": s.title, "spec": s.spec, "barcode": s.barcode, "id": s.pk,
                     "on_hand": s.on_hand_sum, "allocated": s.allocated_sum, "available": available,
                     "waiting": w, "projected": available - w})
    return rows


def waiting_by_sku() -> dict[int, int]:
    from fahuo.orders.models import OrderLine

    return dict(OrderLine.objects.filter(order__status__in=_WAITING, sku__isnull=False)
                .values("sku_id").annotate(n=Sum("qty")).values_list("sku_id", "n"))


def low_stock(*, threshold: int) -> list[dict]:
    """SKUs whose stock after what open orders will take is below the threshold, worst first."""
    rows = [r for r in stock_rows() if r["projected"] < threshold]
    return sorted(rows, key=lambda r: (r["projected"], r["sku"]))


def levels_of(sku: Sku) -> QuerySet[StockLevel]:
    return sku.levels.select_related("location").order_by("location__sort", "location__code")


def ledger(*, sku: Sku | None = None, limit: int = 100) -> QuerySet[Movement]:
    qs = Movement.objects.select_related("sku", "location", "by", "order")
    if sku is not None:
        qs = qs.filter(sku=sku)
    return qs.order_by("-at", "-id")[:limit]

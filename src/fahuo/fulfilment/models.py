"""Waves, parcels and what happens to them between the shelf and the courier."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Wave(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("拣货中")
        DONE = "done", _("已完成")

    no = models.CharField(_("批次号"), max_length=30, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    filters = models.JSONField(default=dict, blank=True)
    label_size = models.CharField(max_length=10, default="76x130")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    picked = models.JSONField(default=list, blank=True)  # SKU codes ticked off on the phone pick list

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.no


class Document(models.Model):
    """A PDF rendered in the background (labels, pick list, packing slips) with its progress."""

    class Kind(models.TextChoices):
        LABELS = "labels", _("面单")
        PICKLIST = "picklist", _("拣货单")
        SLIPS = "slips", _("发货单")

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("完成")
        FAILED = "failed", _("失败")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    size = models.CharField(max_length=10, default="76x130")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=500, blank=True, default="")
    error = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.state == "done" else 0)


class Handover(models.Model):
    """揽收交接单: the parcels one courier took, scanned one by one, with the time of each scan."""

    carrier_code = models.CharField(max_length=16)
    started_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")

    class Meta:
        ordering = ["-id"]


class Parcel(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("待打包")
        PACKED = "packed", _("已打包")
        SHIPPED = "shipped", _("已发货")
        CANCELLED = "cancelled", _("已作废")

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="parcels")
    wave = models.ForeignKey(Wave, null=True, blank=True, on_delete=models.SET_NULL, related_name="parcels")
    seq = models.PositiveSmallIntegerField(default=1)  # 第 n 件 of the order
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    carrier_code = models.CharField(max_length=16, blank=True, default="")
    carrier_rule = models.CharField(max_length=200, blank=True, default="")  # why this carrier was chosen
    waybill = models.CharField(_("运单号"), max_length=40, null=True, blank=True)
    waybill_source = models.CharField(max_length=10, blank=True, default="")  # sandbox | pool | manual
    waybill_suspect = models.BooleanField(default=False)  # fits no pattern of its carrier
    routing = models.JSONField(default=dict, blank=True)  # 大头笔, 三段码, 集包地 from the carrier
    weight_g = models.PositiveIntegerField(null=True, blank=True)
    label_prints = models.PositiveIntegerField(default=0)
    packed_at = models.DateTimeField(null=True, blank=True)
    packed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    shipped_at = models.DateTimeField(null=True, blank=True)
    shipped_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    handover = models.ForeignKey(Handover, null=True, blank=True, on_delete=models.SET_NULL, related_name="parcels")
    handed_over_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            # one number is never on two parcels (a parcel shared by merged orders is one parcel)
            models.UniqueConstraint(fields=["waybill"], condition=Q(waybill__isnull=False), name="parcel_waybill_unique"),
        ]
        indexes = [models.Index(fields=["state", "carrier_code"], name="parcel_state_carrier")]


class ParcelItem(models.Model):
    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="items")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="parcel_items")
    qty = models.PositiveIntegerField()
    scanned = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]


class ScanEvent(models.Model):
    """Every scan at the packing bench, right or wrong: the record of 验货."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="scans")
    code = models.CharField(max_length=64)
    result = models.CharField(max_length=16)  # ok | wrong_item | extra_item | reset
    sku_code = models.CharField(max_length=64, blank=True, default="")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]


class BatchExport(models.Model):
    """One batch-shipping file for 卖家中心 (订单编号, 物流公司, 运单号, 子订单编号)."""

    fmt = models.CharField(max_length=5, default="csv")
    rows = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

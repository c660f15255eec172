from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Location(models.Model):
    code = models.CharField(_("库位"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80, blank=True, default="")
    sort = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.code


class Sku(models.Model):
    code = models.CharField(_("商家编码"), max_length=64, unique=True)
    barcode = models.CharField(_("条码"), max_length=64, blank=True, default="", db_index=True)
    title = models.CharField(_("名称"), max_length=200)
    spec = models.CharField(_("规格"), max_length=200, blank=True, default="")
    weight_g = models.PositiveIntegerField(_("重量(克)"), default=0)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class StockLevel(models.Model):
    """On hand and allocated for one SKU at one location. Available = on_hand - allocated.

    Written only by inventory.services, with guarded UPDATEs; the constraints are the last line."""

    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="levels")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="levels")
    on_hand = models.IntegerField(default=0)
    allocated = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sku", "location"], name="stocklevel_sku_location"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stocklevel_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(allocated__gte=0), name="stocklevel_allocated_gte_0"),
            models.CheckConstraint(condition=Q(allocated__lte=F("on_hand")), name="stocklevel_no_oversell"),
        ]

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated


class MovementKind(models.TextChoices):
    RECEIVE = "receive", _("入库")
    ADJUST = "adjust", _("调整")
    STOCKTAKE = "stocktake", _("盘点")
    ALLOCATE = "allocate", _("占用")
    RELEASE = "release", _("释放")
    SHIP = "ship", _("发货出库")
    RETURN = "return", _("退货入库")
    IMPORT = "import", _("导入")


class Movement(models.Model):
    """The stock ledger: one row for every change of on hand or allocated, with who and why."""

    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="movements")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=16, choices=MovementKind.choices)
    on_hand_delta = models.IntegerField(default=0)
    allocated_delta = models.IntegerField(default=0)
    reason = models.CharField(_("原因"), max_length=200, blank=True, default="")
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["sku", "-at"], name="movement_sku_at")]


class Allocation(models.Model):
    """Which stock level holds how many units for one order line."""

    line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="allocations")
    level = models.ForeignKey(StockLevel, on_delete=models.PROTECT, related_name="allocations")
    qty = models.PositiveIntegerField()

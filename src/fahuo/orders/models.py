from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fahuo.orders.status import LABELS_ZH, Status

STATUS_CHOICES = [(s.value, LABELS_ZH[s]) for s in Status]


class Source(models.TextChoices):
    TAOBAO = "taobao", _("淘宝导入")
    API = "api", _("API")
    MANUAL = "manual", _("手工录入")
    SPLIT = "split", _("拆单")


class Order(models.Model):
    order_no = models.CharField(_("订单编号"), max_length=64, unique=True)
    # the platform's 订单编号: equals order_no except for the parts of a split order
    platform_order_no = models.CharField(max_length=64, db_index=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.TAOBAO)
    shop_name = models.CharField(max_length=100, blank=True, default="")
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=Status.REVIEW)
    platform_status = models.CharField(max_length=20, default="wait_send")
    platform_status_text = models.CharField(max_length=60, blank=True, default="")

    buyer_nick = models.CharField(_("买家会员名"), max_length=100, blank=True, default="")
    buyer_message = models.TextField(_("买家留言"), blank=True, default="")
    seller_memo = models.TextField(_("卖家备注"), blank=True, default="")

    receiver_name = models.CharField(_("收货人"), max_length=100, blank=True, default="")
    receiver_phone = models.CharField(_("电话"), max_length=40, blank=True, default="")
    phone_kind = models.CharField(max_length=10, default="empty")
    phone_ext = models.CharField(max_length=10, blank=True, default="")
    province = models.CharField(_("省"), max_length=30, blank=True, default="")
    city = models.CharField(_("市"), max_length=30, blank=True, default="")
    district = models.CharField(_("区"), max_length=30, blank=True, default="")
    detail = models.CharField(_("详细地址"), max_length=255, blank=True, default="")
    postcode = models.CharField(max_length=10, blank=True, default="")
    adcode = models.CharField(max_length=12, blank=True, default="")
    address_raw = models.CharField(max_length=400, blank=True, default="")
    address_complete = models.BooleanField(default=False)
    # sha1 of buyer + receiver + address: finds merge candidates with one indexed query
    receiver_key = models.CharField(max_length=40, db_index=True, blank=True, default="")

    amount = models.DecimalField(_("实付金额"), max_digits=12, decimal_places=2, null=True, blank=True)
    postage = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    platform_created_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(_("付款时间"), null=True, blank=True)
    platform_ship_by = models.DateTimeField(null=True, blank=True)
    ship_by = models.DateTimeField(_("最晚发货"), null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)

    refund_requested = models.BooleanField(default=False)
    close_reason = models.CharField(max_length=200, blank=True, default="")
    lines_uncertain = models.BooleanField(default=False)
    problems = models.JSONField(default=list, blank=True)

    hold_reason = models.CharField(max_length=30, blank=True, default="")
    hold_note = models.CharField(max_length=200, blank=True, default="")
    hold_until = models.DateTimeField(null=True, blank=True)

    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    split_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="parts")

    waybills = models.JSONField(default=list, blank=True)
    carrier_text = models.CharField(max_length=60, blank=True, default="")
    short_skus = models.JSONField(default=list, blank=True)
    fingerprint = models.CharField(max_length=40, blank=True, default="")

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ship_by", "id"]
        indexes = [
            models.Index(fields=["status", "ship_by"], name="order_status_shipby"),
            models.Index(fields=["status", "paid_at"], name="order_status_paid"),
        ]

    def __str__(self) -> str:
        return self.order_no


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("inventory.Sku", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    spec = models.CharField(max_length=200, blank=True, default="")
    outer_id = models.CharField(max_length=64, blank=True, default="")
    qty = models.PositiveIntegerField(default=1)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    sub_order_no = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["id"]


class OrderEvent(models.Model):
    """The order's timeline: who did what, when, from which status to which. Also the audit trail."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=30)
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16, blank=True, default="")
    message = models.CharField(max_length=500, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="orderevent_order_at")]


class SkuMapping(models.Model):
    """A title/spec from the platform mapped once to a SKU; applied to every later import."""

    title = models.CharField(max_length=300)
    spec = models.CharField(max_length=200, blank=True, default="")
    sku = models.ForeignKey("inventory.Sku", on_delete=models.CASCADE, related_name="mappings")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["title", "spec"], name="skumapping_title_spec")]


class ImportJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(max_length=16, default="orders")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    filename = models.CharField(max_length=255)
    items_filename = models.CharField(max_length=255, blank=True, default="")
    path = models.CharField(max_length=500)
    items_path = models.CharField(max_length=500, blank=True, default="")
    encoding = models.CharField(max_length=20, blank=True, default="")
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_n = models.PositiveIntegerField(default=0)
    updated_n = models.PositiveIntegerField(default=0)
    unchanged_n = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, default="")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def summary(self) -> dict:
        return {
            "created": self.created_n,
            "updated": self.updated_n,
            "unchanged": self.unchanged_n,
            "rejected": self.rejected,
        }

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else (100 if self.state == "done" else 0)

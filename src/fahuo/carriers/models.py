"""The seller's carriers: accounts (网点, 月结号, sender), rate rows, the choice rules text, number pools."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CarrierAccount(models.Model):
    carrier_code = models.CharField(_("快递公司"), max_length=16)
    name = models.CharField(_("名称/网点"), max_length=80, blank=True, default="")
    account_no = models.CharField(_("月结号"), max_length=40, blank=True, default="")
    sender_name = models.CharField(_("寄件人"), max_length=40, blank=True, default="")
    sender_phone = models.CharField(_("寄件电话"), max_length=40, blank=True, default="")
    sender_address = models.CharField(_("寄件地址"), max_length=200, blank=True, default="")
    service = models.CharField(_("服务"), max_length=40, blank=True, default="标准快递")
    payment = models.CharField(_("付款方式"), max_length=20, blank=True, default="寄付月结")
    # where numbers come from: sandbox (演示快递 issues them), pool (单号池), kuaidi100 (electronic waybill API),
    # manual (typed or scanned)
    number_source = models.CharField(max_length=10, default="manual")
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["carrier_code", "id"]
        constraints = [models.UniqueConstraint(fields=["carrier_code"], name="carrieraccount_one_per_carrier")]


class RateRow(models.Model):
    """首重 + 续重 for one carrier to one province ("*" = every other province)."""

    carrier_code = models.CharField(max_length=16)
    province = models.CharField(max_length=20)
    first_kg = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    first_price = models.DecimalField(max_digits=8, decimal_places=2)
    extra_price = models.DecimalField(max_digits=8, decimal_places=2)
    extra_step_kg = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    days_min = models.PositiveSmallIntegerField(default=2)
    days_max = models.PositiveSmallIntegerField(default=3)

    class Meta:
        ordering = ["carrier_code", "province"]
        constraints = [models.UniqueConstraint(fields=["carrier_code", "province"], name="raterow_carrier_province")]


class ChoiceRules(models.Model):
    """One row: the seller's ordered carrier rules, one per line, in plain words."""

    text = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    @classmethod
    def get(cls) -> ChoiceRules:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class NumberPool(models.Model):
    """A purchased range of waybill numbers (单号池) for one carrier."""

    carrier_code = models.CharField(max_length=16)
    name = models.CharField(max_length=80, blank=True, default="")
    warn_below = models.PositiveIntegerField(default=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["carrier_code", "id"]


class PoolNumber(models.Model):
    pool = models.ForeignKey(NumberPool, on_delete=models.CASCADE, related_name="numbers")
    number = models.CharField(max_length=40, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["pool", "used_at"], name="poolnumber_free")]


class SandboxSequence(models.Model):
    """The sandbox carrier's counter: numbers FH + 12 digits, taken with a guarded UPDATE."""

    next_value = models.BigIntegerField(default=1)

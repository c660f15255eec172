from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("店主")
    PACKER = "packer", _("打包员")
    CS = "cs", _("客服")


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.OWNER)

    @property
    def sees_pii(self) -> bool:
        """Packers see receiver names and phones masked, everywhere."""
        return self.role != Role.PACKER

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


class ApiToken(models.Model):
    """A token for scripts. Only its SHA-256 is stored; the plain key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=80)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> str:
        return "fh_" + secrets.token_urlsafe(32)


class ShopSettings(models.Model):
    """One row: the seller's settings that a phone can change."""

    shop_name = models.CharField(_("店铺名称"), max_length=100, default="", blank=True)
    promised_hours = models.PositiveIntegerField(_("承诺发货时限（小时）"), default=48)
    due_soon_hours = models.PositiveIntegerField(_("临近发货截止提醒（小时）"), default=6)
    low_stock_threshold = models.PositiveIntegerField(_("低库存阈值"), default=5)
    privacy_labels = models.BooleanField(_("隐私面单（收件人打码）"), default=True)
    sender_name = models.CharField(_("寄件人"), max_length=40, blank=True, default="")
    sender_phone = models.CharField(_("寄件电话"), max_length=40, blank=True, default="")
    sender_address = models.CharField(_("寄件地址"), max_length=200, blank=True, default="")
    # tracking: when a shipped parcel becomes an exception, and the late-shipping compensation estimate
    no_pickup_hours = models.PositiveIntegerField(_("发货后无揽收提醒（小时）"), default=24)
    stale_hours = models.PositiveIntegerField(_("物流停滞提醒（小时）"), default=48)
    compensation_percent = models.DecimalField(_("延迟发货赔付比例（%）"), max_digits=5, decimal_places=2,
                                               default=Decimal("5.00"))
    compensation_min = models.DecimalField(_("延迟发货赔付下限（元）"), max_digits=8, decimal_places=2,
                                           default=Decimal("5.00"))
    compensation_max = models.DecimalField(_("延迟发货赔付上限（元）"), max_digits=8, decimal_places=2,
                                           default=Decimal("30.00"))

    @classmethod
    def get(cls) -> ShopSettings:
        obj = cls.objects.filter(pk=1).first()
        if obj is None:
            from django.conf import settings

            obj, _created = cls.objects.get_or_create(pk=1, defaults={"promised_hours": settings.FAHUO_PROMISED_HOURS})
        return obj


class PeriodicRun(models.Model):
    """One row per periodic task per time slot: whichever worker inserts it runs the slot (core/periodic.py)."""

    task = models.CharField(max_length=100)
    slot = models.DateTimeField()
    claimed_at = models.DateTimeField(auto_now_add=True)
    worker = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "slot"], name="periodic_run_once_per_slot")]

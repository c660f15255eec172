"""Notification channels, the outbox of notifications (one row per channel and cause, never sent twice), and the
digest setting. See docs/adr/0009-notifications-outbox.md."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.Model):
    class Kind(models.TextChoices):
        WECOM = "webhook_wecom", _("企业微信群机器人")
        DINGTALK = "webhook_dingtalk", _("钉钉群机器人")
        JSON = "webhook_json", _("JSON webhook")
        EMAIL = "email", _("电子邮件")
        LOG = "log", _("日志（测试用）")

    name = models.CharField(_("名称"), max_length=60, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    url = models.CharField(_("Webhook 地址"), max_length=500, blank=True, default="")
    secret = models.CharField(_("签名密钥"), max_length=200, blank=True, default="")  # DingTalk 加签 / JSON HMAC
    email_to = models.CharField(_("收件人"), max_length=500, blank=True, default="")  # comma separated
    enabled = models.BooleanField(_("启用"), default=True)
    takes_digest = models.BooleanField(_("每日汇总"), default=True)
    takes_urgent = models.BooleanField(_("紧急提醒"), default=True)
    takes_buyer_message = models.BooleanField(_("买家消息"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def takes(self, kind: str) -> bool:
        return kind == "test" or bool(getattr(self, f"takes_{kind}", False))

    @property
    def recipients(self) -> list[str]:
        return [a.strip() for a in self.email_to.replace(";", ",").split(",") if a.strip()]


class Notification(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    class Kind(models.TextChoices):
        DIGEST = "digest", _("每日汇总")
        URGENT = "urgent", _("紧急提醒")
        BUYER_MESSAGE = "buyer_message", _("买家消息")
        TEST = "test", _("测试")

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    dedupe_key = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    delivered = models.JSONField(default=dict, blank=True)  # what went out: url/body for webhooks, the log line …
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "dedupe_key"], name="notification_once_per_channel"),
        ]
        indexes = [models.Index(fields=["state", "next_try_at"], name="notification_due")]


class NotifySettings(models.Model):
    """One row: when the daily digest goes out (local time of settings.TIME_ZONE) and which day it last went."""

    digest_hour = models.PositiveSmallIntegerField(_("每日汇总时间（点）"), default=9)
    digest_enabled = models.BooleanField(_("发送每日汇总"), default=True)
    # the language of the notices to the seller (alerts, digest); buyer messages choose their own
    language = models.CharField(_("通知语言"), max_length=5, choices=[("zh", "中文"), ("en", "English")], default="zh")
    last_digest_day = models.DateField(null=True, blank=True)

    @classmethod
    def get(cls) -> NotifySettings:
        obj = cls.objects.filter(pk=1).first()
        if obj is None:
            obj, _created = cls.objects.get_or_create(pk=1)
        return obj

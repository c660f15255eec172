"""Tracking rows: every event as received (deduplicated by `key`), each parcel's folded state, the exception
cases found on orders and parcels, and a log of webhook calls (refused ones included)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TrackingEvent(models.Model):
    parcel = models.ForeignKey("fulfilment.Parcel", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="tracking_events")
    number = models.CharField(max_length=40, db_index=True)
    carrier = models.CharField(max_length=32, blank=True, default="")
    at = models.DateTimeField()
    status = models.CharField(max_length=20)
    reason = models.CharField(max_length=20, blank=True, default="")
    context = models.TextField(blank=True, default="")
    city = models.CharField(max_length=40, blank=True, default="")
    raw_code = models.CharField(max_length=20, blank=True, default="")
    source = models.CharField(max_length=16, blank=True, default="")
    key = models.CharField(max_length=160, unique=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class ParcelTrack(models.Model):
    """A parcel's state folded from all its events (and those of the number it was transferred to)."""

    parcel = models.OneToOneField("fulfilment.Parcel", on_delete=models.CASCADE, related_name="track")
    number = models.CharField(max_length=40, db_index=True)
    carrier = models.CharField(max_length=32, blank=True, default="")  # corrected by an abort with comNew
    com = models.CharField(max_length=32, blank=True, default="")  # the 快递100 code subscribed under
    resubscribe = models.BooleanField(default=False)  # an abort named a corrected carrier
    status = models.CharField(max_length=20, default="no_info")
    reason = models.CharField(max_length=20, blank=True, default="")
    status_since = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    first_scan_at = models.DateTimeField(null=True, blank=True)
    picked_up_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    transferred_to = models.CharField(max_length=40, null=True, blank=True, db_index=True)
    suspicious = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    # subscription and polling (tracking/services/subscriptions.py, polling.py)
    mode = models.CharField(max_length=8, blank=True, default="")  # push | poll | "" (no source for the carrier)
    subscribed_at = models.DateTimeField(null=True, blank=True)  # when fahuo began tracking (subscribe ran)
    subscribe_error = models.CharField(max_length=200, blank=True, default="")  # "code: message" of the last refusal
    last_polled_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)  # None: not polled
    poll_failures = models.PositiveIntegerField(default=0)  # in a row; backs the next poll off

    class Meta:
        indexes = [models.Index(fields=["status"], name="parceltrack_status")]


class ExceptionCase(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "处理中"
        RESOLVED = "resolved", "已解决"

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="exception_cases")
    parcel = models.ForeignKey("fulfilment.Parcel", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="exception_cases")
    type = models.CharField(max_length=32)
    severity = models.CharField(max_length=10)
    cause_key = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True, default="")
    since = models.DateTimeField()
    evidence = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True, default="")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    notes = models.JSONField(default=list, blank=True)
    estimated_compensation = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["since", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "parcel", "type", "cause_key"], name="exception_once_per_cause"),
        ]
        indexes = [models.Index(fields=["state", "type"], name="exception_state_type")]


class WebhookLog(models.Model):
    kind = models.CharField(max_length=16)  # kuaidi100 | generic
    received_at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField(default=False)
    code = models.CharField(max_length=40, blank=True, default="")
    message = models.CharField(max_length=300, blank=True, default="")
    remote_addr = models.CharField(max_length=64, blank=True, default="")
    body = models.TextField(blank=True, default="")  # the first 2,000 characters

    class Meta:
        ordering = ["-id"]

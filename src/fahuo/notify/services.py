"""The notification outbox (docs/adr/0009-notifications-outbox.md).

`enqueue` writes one row per enabled channel that takes the kind, inside the caller's transaction; the unique
(channel, dedupe_key) makes a second enqueue of the same cause a no-op, so nothing is ever queued twice. Delivery
is scheduled after the commit. `deliver` claims a row with a guarded UPDATE (queued → sending, only when due), so
of two workers only one sends it; it then sends with no transaction open and records sent, or the error with an
exponential backoff, or failed after MAX_ATTEMPTS. `retry_due` (every minute) sends rows whose job was lost and
rows waiting for their next try.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from fahuo.core import clock
from fahuo.core.errors import InvalidInput, NotFound
from fahuo.notify import formats
from fahuo.notify.models import Channel, Notification, NotifySettings
from fahuo.notify.senders import SendError, send

log = logging.getLogger("fahuo.notify")
MAX_ATTEMPTS = 6
STUCK_AFTER = timedelta(minutes=10)  # a row still "sending" this long after its claim: the worker died mid-send
INTERRUPTED = "发送中断，可能已经发出，不再重试 (interrupted while sending; not retried so it is never sent twice)"
KINDS = ("digest", "urgent", "buyer_message")
Q_ = Notification.State


# --- channels ---------------------------------------------------------------------------------------


def _clean_channel(fields: dict[str, Any], *, current: Channel | None = None) -> dict[str, Any]:
    kind = fields.get("kind", current.kind if current else "")
    if kind not in Channel.Kind.values:
        raise InvalidInput(f"未知的通道类型 {kind} (unknown channel kind)", code="unknown_channel_kind")
    name = (fields.get("name", current.name if current else "") or "").strip()
    if not name:
        raise InvalidInput("请填写通道名称 (a channel needs a name)", code="name_required")
    fields["name"] = name
    if kind.startswith("webhook_"):
        try:
            fields["url"] = formats.check_url(fields.get("url", current.url if current else ""))
        except formats.FormatError as e:
            raise InvalidInput(str(e), code="invalid_url") from e
    if kind == Channel.Kind.EMAIL:
        to = fields.get("email_to", current.email_to if current else "") or ""
        addrs = [a.strip() for a in to.replace(";", ",").split(",") if a.strip()]
        if not addrs or any("@" not in a for a in addrs):
            raise InvalidInput("请填写收件人邮箱，多个用逗号分开 (e-mail recipients, comma separated)",
                               code="invalid_recipients")
        fields["email_to"] = ", ".join(addrs)
    clash = Channel.objects.filter(name=name)
    if current is not None:
        clash = clash.exclude(pk=current.pk)
    if clash.exists():
        raise InvalidInput(f"已经有名为 {name} 的通道 (a channel with this name exists)", code="duplicate_name")
    return fields


FIELDS = ("name", "kind", "url", "secret", "email_to", "enabled", "takes_digest", "takes_urgent",
          "takes_buyer_message")


def create_channel(*, by=None, **fields) -> Channel:
    fields = {k: v for k, v in fields.items() if k in FIELDS and v is not None}
    with transaction.atomic():
        return Channel.objects.create(**_clean_channel(fields))


def update_channel(channel_id: int, *, by=None, **fields) -> Channel:
    fields = {k: v for k, v in fields.items() if k in FIELDS and v is not None}
    with transaction.atomic():
        ch = Channel.objects.select_for_update().filter(pk=channel_id).first()
        if ch is None:
            raise NotFound(f"没有这个通知通道 {channel_id} (no such channel)", code="channel_not_found")
        for k, v in _clean_channel(fields, current=ch).items():
            setattr(ch, k, v)
        ch.save()
        return ch


def get_channel(ref: int | str) -> Channel:
    """A channel by id or by name."""
    qs = Channel.objects.filter(pk=ref) if isinstance(ref, int) or str(ref).isdigit() else Channel.objects.none()
    ch = qs.first() or Channel.objects.filter(name=str(ref)).first()
    if ch is None:
        raise NotFound(f"没有这个通知通道 {ref} (no such channel)", code="channel_not_found")
    return ch


def set_digest(*, hour: int, enabled: bool = True, language: str | None = None, by=None) -> NotifySettings:
    if not 0 <= hour <= 23:
        raise InvalidInput("汇总时间应在 0–23 点之间 (digest hour 0-23)", code="invalid_hour")
    if language is not None and language not in ("zh", "en"):
        raise InvalidInput(f"通知语言只能是 zh 或 en，收到 {language} (language must be zh or en)",
                           code="invalid_language")
    with transaction.atomic():
        s = NotifySettings.get()
        s.digest_hour, s.digest_enabled = hour, enabled
        if language is not None:
            s.language = language
        s.save(update_fields=["digest_hour", "digest_enabled", "language"])
    return s


# --- the outbox -------------------------------------------------------------------------------------


def enqueue(kind: str, dedupe_key: str, title: str, text: str,
            data: dict[str, Any] | None = None) -> list[Notification]:
    """Queue one notification per enabled channel taking `kind`, in the caller's transaction; rows whose
    (channel, dedupe_key) exist already are skipped. Delivery starts after the commit. Returns the new rows."""
    if kind not in KINDS:
        raise InvalidInput(f"未知的通知类型 {kind} (unknown notification kind)", code="unknown_notification_kind")
    channels = Channel.objects.filter(enabled=True, **{f"takes_{kind}": True})
    now = clock.now()
    created: list[Notification] = []
    for ch in channels:
        if Notification.objects.filter(channel=ch, dedupe_key=dedupe_key[:200]).exists():
            continue
        try:
            with transaction.atomic():  # a savepoint: losing the race to another writer leaves the caller's work
                n = Notification.objects.create(channel=ch, kind=kind, dedupe_key=dedupe_key[:200], title=title[:200],
                                                text=text, data=data or {}, next_try_at=now)
        except IntegrityError:
            continue
        created.append(n)
    if created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: schedule(ids))
    return created


def schedule(ids: list[int]) -> None:
    """Hand the rows to the job queue. A lost job is harmless: `retry_due` sends the row within a minute."""
    from fahuo.notify import tasks

    for nid in ids:
        try:
            tasks.deliver_notification(nid)
        except Exception:  # the queue is down: the periodic retry catches the row
            log.exception("could not queue notification %s", nid)


def claim(notification_id: int, *, now=None) -> bool:
    """queued → sending for exactly one caller, and only when the row is due."""
    now = now or clock.now()
    return Notification.objects.filter(pk=notification_id, state=Q_.QUEUED, next_try_at__lte=now).update(
        state=Q_.SENDING, claimed_at=now, attempts=F("attempts") + 1) == 1


def deliver(notification_id: int, *, now=None) -> Notification | None:
    """Send one row if this caller claims it. Returns the row as recorded, or None when someone else has it
    (or it is not due, or already sent)."""
    now = now or clock.now()
    if not claim(notification_id, now=now):
        return None
    n = Notification.objects.select_related("channel").get(pk=notification_id)
    try:
        delivered = send(n.channel, n)
    except SendError as e:
        return _failed(n, str(e), now=now)
    except Exception as e:  # a bug in a sender must not leave the row in "sending"
        log.exception("notification %s: sender crashed", n.pk)
        return _failed(n, f"{type(e).__name__}: {e}", now=now)
    n.state, n.sent_at, n.last_error, n.delivered = Q_.SENT, clock.now(), "", delivered
    Notification.objects.filter(pk=n.pk, state=Q_.SENDING).update(state=n.state, sent_at=n.sent_at, last_error="",
                                                                  delivered=delivered)
    return n


def _failed(n: Notification, error: str, *, now) -> Notification:
    n.last_error = error[:500]
    if n.attempts >= MAX_ATTEMPTS:
        n.state, n.next_try_at = Q_.FAILED, None
    else:
        n.state, n.next_try_at = Q_.QUEUED, now + timedelta(seconds=formats.backoff_seconds(n.attempts))
    Notification.objects.filter(pk=n.pk, state=Q_.SENDING).update(state=n.state, next_try_at=n.next_try_at,
                                                                  last_error=n.last_error)
    log.warning("notification %s to %s failed (try %s): %s", n.pk, n.channel.name, n.attempts, n.last_error)
    return n


def retry_due(*, now=None, limit: int = 50) -> dict[str, int]:
    """Send queued rows that are due (lost jobs, backoff over); give up on rows stuck in "sending"."""
    now = now or clock.now()
    stuck = Notification.objects.filter(state=Q_.SENDING, claimed_at__lt=now - STUCK_AFTER).update(
        state=Q_.FAILED, next_try_at=None, last_error=INTERRUPTED)
    ids = list(Notification.objects.filter(state=Q_.QUEUED, next_try_at__lte=now).order_by("next_try_at", "id")
               .values_list("pk", flat=True)[:limit])
    sent = failed = 0
    for nid in ids:
        n = deliver(nid, now=now)
        if n is None:
            continue
        if n.state == Q_.SENT:
            sent += 1
        else:
            failed += 1
    return {"due": len(ids), "sent": sent, "failed": failed, "stuck": stuck}


def test_send(channel_id: int | str, *, by=None) -> Notification:
    """Send a test notice through one channel now (enabled or not) and return the row with the outcome.
    A failed test is not retried."""
    ch = get_channel(channel_id)
    now = clock.now()
    who = getattr(by, "username", "") or "CLI"
    n = Notification.objects.create(
        channel=ch, kind=Notification.Kind.TEST, dedupe_key=f"test:{uuid.uuid4().hex}", title="fahuo 测试通知",
        text=f"这是一条测试通知，来自 {who}。收到说明通道「{ch.name}」可以正常使用。",
        data={"test": True, "by": who}, next_try_at=now)
    done = deliver(n.pk, now=now) or n
    if done.state == Q_.QUEUED:  # a test is answered now, not retried later
        Notification.objects.filter(pk=n.pk).update(state=Q_.FAILED, next_try_at=None)
        done.state, done.next_try_at = Q_.FAILED, None
    return done

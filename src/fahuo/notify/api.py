"""Notifications over HTTP: channels (owner), a test send, the outbox, the digest setting, and buyer messages
(owner and customer service; packers get 403 — the messages carry the buyer's name).

Thin: parse, check the role (core.permissions), call one service, answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Path, Query, Router, Schema
from pydantic import Field

from fahuo.core.permissions import require
from fahuo.core.schemas import MAX_ID, READ_ERRORS, WRITE_ERRORS, Error, text
from fahuo.notify import buyer, services
from fahuo.notify.models import Channel, Notification

router = Router(tags=["notify"])

ChannelKind = Literal["webhook_wecom", "webhook_dingtalk", "webhook_json", "email", "log"]
MessageKind = Literal["shipped", "delayed", "delivered_followup"]
Reason = Literal["restock", "pickup", "weather", "other"]
Lang = Literal["zh", "en"]


class ChannelOut(Schema):
    id: int
    name: str
    kind: str
    url: str
    has_secret: bool = Field(..., description="a DingTalk 加签 secret or a JSON HMAC key is set (never shown)")
    email_to: str
    enabled: bool
    takes_digest: bool
    takes_urgent: bool
    takes_buyer_message: bool


class ChannelIn(Schema):
    name: text(60, min_length=1)
    kind: ChannelKind
    url: text(500) = ""
    secret: text(200) = ""
    email_to: text(500) = ""
    enabled: bool = True
    takes_digest: bool = True
    takes_urgent: bool = True
    takes_buyer_message: bool = False


class ChannelPatch(Schema):
    name: text(60, min_length=1) | None = None
    kind: ChannelKind | None = None
    url: text(500) | None = None
    secret: text(200) | None = None
    email_to: text(500) | None = None
    enabled: bool | None = None
    takes_digest: bool | None = None
    takes_urgent: bool | None = None
    takes_buyer_message: bool | None = None


class NotificationOut(Schema):
    id: int
    channel: str
    kind: str
    dedupe_key: str
    title: str
    text: str
    state: str = Field(..., description="queued sending sent failed")
    attempts: int
    next_try_at: dt.datetime | None
    sent_at: dt.datetime | None
    last_error: str
    created_at: dt.datetime


class NotificationFilter(Schema):
    state: Literal["queued", "sending", "sent", "failed"] | None = None
    kind: Literal["digest", "urgent", "buyer_message", "test"] | None = None
    limit: int = Field(50, ge=1, le=500)


class NotifySettingsOut(Schema):
    digest_hour: int
    digest_enabled: bool
    language: Lang
    last_digest_day: dt.date | None


class NotifySettingsIn(Schema):
    digest_hour: int = Field(..., ge=0, le=23, description="local hour (Asia/Shanghai) the daily digest goes out")
    digest_enabled: bool = True
    language: Lang | None = Field(None, description="language of alerts and the digest (zh or en); unset: unchanged")


class BuyerQuery(Schema):
    order_no: text(64, min_length=1)
    kind: MessageKind = "shipped"
    lang: Lang = "zh"
    reason: Reason | None = Field(None, description="delayed only: restock 缺货补货中, pickup 快递揽收延迟, "
                                                    "weather 天气或交通, other (give `other`)")
    other: text(100) = ""
    date: dt.date | None = Field(None, description="delayed only: the new expected ship date")


class BuyerMessageTextOut(Schema):
    order_no: str
    kind: str
    lang: str
    text: str
    reason: str | None
    number: str | None
    carrier: str | None
    queued: int = Field(..., description="notifications queued by this call (send only; 0 when sent before)")


def channel_dict(ch: Channel) -> dict:
    return {"id": ch.pk, "name": ch.name, "kind": ch.kind, "url": ch.url, "has_secret": bool(ch.secret),
            "email_to": ch.email_to, "enabled": ch.enabled, "takes_digest": ch.takes_digest,
            "takes_urgent": ch.takes_urgent, "takes_buyer_message": ch.takes_buyer_message}


def notification_dict(n: Notification) -> dict:
    return {"id": n.pk, "channel": n.channel.name, "kind": n.kind, "dedupe_key": n.dedupe_key, "title": n.title,
            "text": n.text, "state": n.state, "attempts": n.attempts, "next_try_at": n.next_try_at,
            "sent_at": n.sent_at, "last_error": n.last_error, "created_at": n.created_at}


ChannelId = Path(..., ge=1, le=MAX_ID, description="the channel's id")


@router.get("/channels", response={200: list[ChannelOut], READ_ERRORS | {403}: Error},
            summary="Notification channels (owner)")
def list_channels(request):
    require(request.auth, "notify_settings")
    return [channel_dict(c) for c in Channel.objects.all()]


@router.post("/channels", response={201: ChannelOut, WRITE_ERRORS: Error},
             summary="Add a channel: WeCom / DingTalk robot, JSON webhook, e-mail or log (owner)")
def create_channel(request, payload: ChannelIn):
    require(request.auth, "notify_settings")
    return 201, channel_dict(services.create_channel(by=request.auth, **payload.dict()))


@router.patch("/channels/{channel_id}", response={200: ChannelOut, WRITE_ERRORS: Error},
              summary="Change or disable a channel (owner)")
def update_channel(request, payload: ChannelPatch, channel_id: int = ChannelId):
    require(request.auth, "notify_settings")
    return channel_dict(services.update_channel(channel_id, by=request.auth,
                                                **payload.dict(exclude_unset=True, exclude_none=True)))


@router.post("/channels/{channel_id}/test", response={200: NotificationOut, WRITE_ERRORS: Error},
             summary="Send a test notice through the channel now; the answer says sent or failed (owner)")
def test_channel(request, channel_id: int = ChannelId):
    require(request.auth, "notify_settings")
    return notification_dict(services.test_send(channel_id, by=request.auth))


@router.get("/notifications", response={200: list[NotificationOut], READ_ERRORS | {403}: Error},
            summary="The outbox, newest first (owner)")
def list_notifications(request, filters: Query[NotificationFilter]):
    require(request.auth, "notify_settings")
    qs = Notification.objects.select_related("channel").order_by("-id")
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return [notification_dict(n) for n in qs[:filters.limit]]


@router.put("/settings", response={200: NotifySettingsOut, WRITE_ERRORS: Error},
            summary="When the daily digest goes out (owner)")
def save_settings(request, payload: NotifySettingsIn):
    require(request.auth, "notify_settings")
    s = services.set_digest(hour=payload.digest_hour, enabled=payload.digest_enabled, language=payload.language,
                            by=request.auth)
    return {"digest_hour": s.digest_hour, "digest_enabled": s.digest_enabled, "language": s.language,
            "last_digest_day": s.last_digest_day}


def _buyer(request, q: BuyerQuery, *, send: bool) -> dict:
    require(request.auth, "buyer_messages")
    return buyer.buyer_message(q.order_no, q.kind, reason=q.reason, other=q.other, new_date=q.date, lang=q.lang,
                               send=send, user=request.auth)


@router.get("/buyer-message", response={200: BuyerMessageTextOut, READ_ERRORS | {403, 409}: Error},
            summary="A message to the buyer to paste into 千牛: shipped, delayed or delivered follow-up (owner, CS)")
def buyer_message(request, q: Query[BuyerQuery]):
    return _buyer(request, q, send=False)


@router.post("/buyer-message", response={200: BuyerMessageTextOut, WRITE_ERRORS: Error},
             summary="The same message, also queued to the channels that take buyer messages (owner, CS)")
def send_buyer_message(request, payload: BuyerQuery):
    return _buyer(request, payload, send=True)


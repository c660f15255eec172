"""How one notification leaves the box: a webhook POST (WeCom / DingTalk robot or plain JSON), an e-mail, or a
log line. Each sender returns what went out (kept on the row) or raises SendError with the reason.
No transaction is open while a sender runs (a slow robot must not hold a database lock)."""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage

from fahuo.notify import formats
from fahuo.notify.models import Channel, Notification

log = logging.getLogger("fahuo.notify")
TIMEOUT_SECONDS = 10
USER_AGENT = "fahuo-notify/1"


class SendError(Exception):
    pass


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, headers={**headers, "User-Agent": USER_AGENT}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as resp:  # noqa: S310 (http/https checked)
            return resp.status, resp.read(4096)
    except urllib.error.HTTPError as e:
        return e.code, e.read(4096) if e.fp else b""
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise SendError(f"无法连接 webhook：{reason} (cannot reach the webhook)") from e


def send_webhook(channel: Channel, n: Notification) -> dict[str, Any]:
    try:
        url, body, headers = formats.request_for(
            channel.kind, url=channel.url, secret=channel.secret, kind=n.kind, title=n.title, text=n.text,
            data=n.data, id=n.pk, timestamp_ms=int(time.time() * 1000))
    except formats.FormatError as e:
        raise SendError(str(e)) from e
    status, answer = _post(url, body, headers)
    problem = formats.robot_answer_error(channel.kind, status, answer)
    if problem:
        raise SendError(problem)
    return {"status": status, "body": body.decode("utf-8"), "answer": answer[:500].decode("utf-8", errors="replace")}


def send_email(channel: Channel, n: Notification) -> dict[str, Any]:
    to = channel.recipients
    if not to:
        raise SendError("没有收件人 (no recipients)")
    msg = EmailMessage(subject=n.title, body=n.text, from_email=settings.DEFAULT_FROM_EMAIL, to=to)
    try:
        msg.send(fail_silently=False)
    except Exception as e:  # smtplib.SMTPException, OSError, ssl errors: all mean "not sent, try later"
        raise SendError(f"邮件发送失败：{e} (e-mail not sent)") from e
    return {"to": to, "subject": n.title}


def send_log(channel: Channel, n: Notification) -> dict[str, Any]:
    line = f"[{channel.name}] {n.kind} {n.title}\n{n.text}"
    log.info("%s", line)
    return {"logged": line}


SENDERS = {
    Channel.Kind.WECOM: send_webhook,
    Channel.Kind.DINGTALK: send_webhook,
    Channel.Kind.JSON: send_webhook,
    Channel.Kind.EMAIL: send_email,
    Channel.Kind.LOG: send_log,
}


def send(channel: Channel, n: Notification) -> dict[str, Any]:
    sender = SENDERS.get(channel.kind)  # type: ignore[call-overload]
    if sender is None:
        raise SendError(f"未知的通道类型 {channel.kind} (unknown channel kind)")
    return sender(channel, n)

"""Request bodies of the webhook notifiers, and the checks of their answers. Pure Python (HOUSE.md habit 2).

    wecom("发货日报", "**今日待发货**：3 单")
        → {"msgtype": "markdown", "markdown": {"content": "## 发货日报\\n**今日待发货**：3 单"}}
    dingtalk("发货日报", "…")
        → {"msgtype": "markdown", "markdown": {"title": "发货日报", "text": "## 发货日报\\n…"}}
    dingtalk_signed_url(url, "SEC…", 1700000000000)
        → url + "&timestamp=1700000000000&sign=<urlencoded base64 HMAC-SHA256(secret, f'{ts}\\n{secret}')>"
    plain_json(kind="urgent", title=…, text=…, data={…}, id=17)
        → {"kind": "urgent", "title": …, "text": …, "data": {…}, "id": 17}

The robot formats follow the public documentation of 企业微信群机器人 (markdown.content, at most 4096 bytes
of UTF-8) and 钉钉自定义机器人 (markdown.title + markdown.text; 加签: timestamp in milliseconds, within an
hour of the call). Both answer HTTP 200 with `{"errcode": 0, "errmsg": "ok"}` on success and a non-zero
errcode otherwise, so the answer body, not the HTTP status, says whether the message went out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from typing import Any

WECOM_MAX_BYTES = 4096  # markdown.content limit of the WeCom group robot
DINGTALK_MAX_BYTES = 20000  # DingTalk accepts about 20 000 bytes per message
SIGNATURE_HEADER = "X-Fahuo-Signature"  # plain JSON: "sha256=<hex HMAC of the body>" when the channel has a secret
ELLIPSIS = "…"


class FormatError(ValueError):
    """A channel that cannot be sent to as configured (bad URL, unknown kind)."""


def clip_utf8(text: str, max_bytes: int) -> str:
    """`text` cut so that its UTF-8 encoding fits `max_bytes` (never inside a character), `…` marking the cut."""
    raw = text.encode("utf-8")
    if len(raw) <= max_bytes:
        return text
    room = max_bytes - len(ELLIPSIS.encode("utf-8"))
    return raw[:room].decode("utf-8", errors="ignore") + ELLIPSIS


def markdown(title: str, text: str) -> str:
    """The message as robots show it: the title as a heading over the text."""
    return f"## {title}\n{text}" if text else f"## {title}"


def wecom(title: str, text: str) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": clip_utf8(markdown(title, text), WECOM_MAX_BYTES)}}


def dingtalk(title: str, text: str) -> dict[str, Any]:
    # the title is what the conversation list and the phone's notification show; the text is the message
    return {"msgtype": "markdown",
            "markdown": {"title": title, "text": clip_utf8(markdown(title, text), DINGTALK_MAX_BYTES)}}


def plain_json(*, kind: str, title: str, text: str, data: dict[str, Any], id: int | None) -> dict[str, Any]:
    return {"kind": kind, "title": title, "text": text, "data": data, "id": id}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), not yet URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with `timestamp` and `sign` appended as query parameters (sign URL-encoded)."""
    sep = "&" if urllib.parse.urlsplit(url).query else "?"
    sign = urllib.parse.quote_plus(dingtalk_sign(secret, timestamp_ms))
    return f"{url}{sep}timestamp={timestamp_ms}&sign={sign}"


def json_signature(secret: str, body: bytes) -> str:
    """The plain-JSON signature header's value: `sha256=` + hex HMAC-SHA256 of the exact body bytes."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def check_url(url: str) -> str:
    """An http(s) URL with a host, or FormatError."""
    parts = urllib.parse.urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FormatError("webhook 地址应以 http:// 或 https:// 开头 (the webhook URL must be http or https)")
    return url.strip()


def request_for(channel_kind: str, *, url: str, secret: str, kind: str, title: str, text: str,
                data: dict[str, Any], id: int | None, timestamp_ms: int) -> tuple[str, bytes, dict[str, str]]:
    """(url, body bytes, headers) of one webhook call. `timestamp_ms` signs DingTalk URLs."""
    url = check_url(url)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if channel_kind == "webhook_wecom":
        return url, encode(wecom(title, text)), headers
    if channel_kind == "webhook_dingtalk":
        if secret:
            url = dingtalk_signed_url(url, secret, timestamp_ms)
        return url, encode(dingtalk(title, text)), headers
    if channel_kind == "webhook_json":
        body = encode(plain_json(kind=kind, title=title, text=text, data=data, id=id))
        if secret:
            headers[SIGNATURE_HEADER] = json_signature(secret, body)
        return url, body, headers
    raise FormatError(f"不是 webhook 通道：{channel_kind} (not a webhook channel)")


def robot_answer_error(channel_kind: str, status: int, body: bytes) -> str | None:
    """None when the answer means "delivered"; otherwise a short reason to keep as the row's last error.

    WeCom and DingTalk: HTTP 2xx and JSON `errcode == 0`. Plain JSON: any 2xx."""
    if not 200 <= status < 300:
        return f"HTTP {status}: {body[:200].decode('utf-8', errors='replace')}"
    if channel_kind == "webhook_json":
        return None
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return f"robot answer is not JSON: {body[:200].decode('utf-8', errors='replace')}"
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        if isinstance(answer, dict):
            return f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:300]
        return "robot answer is not an object"
    return None


def backoff_seconds(attempts: int, *, base: int = 60, cap: int = 3600) -> int:
    """Wait before try number `attempts + 1`: 1, 2, 4, 8, 16 … minutes, at most an hour."""
    if attempts < 1:
        return 0
    return min(cap, base * 2 ** (attempts - 1))

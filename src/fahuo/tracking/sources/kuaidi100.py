"""快递100 as a tracking source: 订阅 (subscribe, they push to fahuo's webhook) and 实时查询 (poll). Pure: the
request builders and answer parsers do no I/O; `send` (urllib, with a timeout) is the only transport and every
test injects its own.

    source = Kuaidi100Source.from_env()            # FAHUO_KUAIDI100_KEY, FAHUO_KUAIDI100_CUSTOMER
    source.subscribe("YT8962646785389", "yuantong", "5678", "https://shop.example/hooks/kuaidi100", salt)
    source.poll("YT8962646785389", "yuantong", "5678")   → [Event, …]

Settings (environment, read when the source is made):

    FAHUO_KUAIDI100_KEY         授权 key (the same key the 电子面单 adapter uses)
    FAHUO_KUAIDI100_CUSTOMER    实时查询 customer id (needed to poll; subscribing needs only the key)
    FAHUO_KUAIDI100_POLL_URL    default https://poll.kuaidi100.com/poll
    FAHUO_KUAIDI100_QUERY_URL   default https://poll.kuaidi100.com/poll/query.do
    FAHUO_KUAIDI100_TIMEOUT     seconds, default 15

What is confirmed, and from where:
- Subscribe [kuaidi100-api/php-demo src/subscribe.php, 快递100's own demo]: POST form `schema=json`,
  `param` = JSON {company, number, from, to, key, parameters: {callbackurl, salt, resultv2, autoCom, phone, …}}
  to http(s)://poll.kuaidi100.com/poll. Answers recorded by third parties:
  {"result":true,"returnCode":"200","message":"提交成功"}, {"result":false,"returnCode":"501","message":
  "POLL:重复订阅"}, {"result":false,"returnCode":"700","message":"POLL:不支持的快递公司：shunfen"}.
- Query [kuaidi100-api/php-demo src/synquery.php]: POST form `customer`, `param` = JSON {com, num, phone,
  from, to, resultv2, show, order}, `sign` = upper-case MD5(param + key + customer) to
  https://poll.kuaidi100.com/poll/query.do. A success answer is the trace itself: {message:"ok", nu, ischeck,
  condition, com, status:"200", state, data:[{time, ftime, context, areaCode?, areaName?, status?,
  statusCode?}]} (newest first, Beijing time) — the same `lastResult` shape a push carries, so it goes through
  the push parser. Failures: {"result":false,"returnCode":"500","message":"查询无结果，请隔段时间再查"} (seen
  many times: the number has no trace yet — or it is not this carrier's), 400 找不到对应公司 / 数据不完整,
  408 验证码错误 (the phone's last four digits are missing or wrong: SF, ZTO), 501 服务器错误, 502 服务器繁忙,
  503 验证签名失败, 601 key 已过期 / 没有可用单量.

Unconfirmed — corrected here, by data, when a real answer is recorded:
- subscribe returnCodes 600 (不是合法的订阅者, key wrong), 601 (key 过期), 701 (拒绝订阅的快递公司),
  702 (识别不到该单号对应的快递公司) and 500 (server error): mapped from memory of 快递100's table.
- `resultv2: "4"` (area names AND the advanced `statusCode` per item) — the demo shows "1" (area names only);
  fahuo asks for 4 because the parser classifies items best by statusCode, and falls back to the text.
- how 快递100 answers a query made sooner than 30 minutes after the last one for a number: fahuo never asks
  sooner (the scheduler's guard), and any answer whose message mentions 频繁/超过/限制, or an HTTP 429, is
  read as `rate_limited`.
- the query answer's `status` field ("200") next to `message:"ok"`: fahuo reads success from the presence of
  `data` / `nu` and `message == "ok"`, not from `status`.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fahuo.tracking.events import Event, TrackingFormatError, parse_kuaidi100_push
from fahuo.tracking.sources.base import (
    AUTH,
    BAD_ANSWER,
    BAD_NUMBER,
    RATE_LIMITED,
    UNAVAILABLE,
    SourceError,
    SubscribeResult,
)

NAME = "kuaidi100"
PREFIX = "FAHUO_KUAIDI100_"
POLL_URL = "https://poll.kuaidi100.com/poll"
QUERY_URL = "https://poll.kuaidi100.com/poll/query.do"
MIN_POLL_INTERVAL = timedelta(minutes=30)  # 快递100: one number at most once per 30 minutes
RESULTV2 = "4"
USER_AGENT = "fahuo (kuaidi100 tracking)"

Send = Callable[..., str]  # send(url, form, *, timeout) -> the answer's text

# returnCode → (fahuo code, what it means). "" for subscribe 200/501: success.
SUBSCRIBE_CODES: dict[str, tuple[str, str]] = {
    "200": ("", "提交成功 (subscribed)"),
    "501": ("", "重复订阅 (already subscribed)"),
    "500": (UNAVAILABLE, "快递100 服务器错误 (kuaidi100 server error)"),
    "600": (AUTH, "快递100 授权 key 无效 (kuaidi100 key not valid)"),
    "601": (AUTH, "快递100 key 已过期或余额不足 (kuaidi100 key expired or out of quota)"),
    "700": (BAD_NUMBER, "快递100 不接受这个单号或快递公司 (number or carrier refused)"),
    "701": (BAD_NUMBER, "快递100 拒绝订阅这家快递公司 (carrier refused)"),
    "702": (BAD_NUMBER, "快递100 识别不到单号对应的快递公司 (carrier not recognised)"),
}
QUERY_CODES: dict[str, tuple[str, str]] = {
    "400": (BAD_NUMBER, "快递100 找不到对应快递公司或数据不完整 (carrier not found or data incomplete)"),
    "408": (BAD_NUMBER, "快递100 要求收件人手机后四位 (the receiver's phone last 4 digits are required)"),
    "501": (UNAVAILABLE, "快递100 服务器错误 (kuaidi100 server error)"),
    "502": (UNAVAILABLE, "快递100 服务器繁忙 (kuaidi100 busy)"),
    "503": (AUTH, "快递100 签名验证失败：检查 key 和 customer (sign refused: check key and customer)"),
    "601": (AUTH, "快递100 key 已过期或没有可用单量 (kuaidi100 key expired or out of quota)"),
}
NO_TRACE_YET = "500"  # 查询无结果，请隔段时间再查: not an error, just nothing yet
_RATE_WORDS = ("频繁", "超过", "限制", "too many", "frequent")


@dataclass(frozen=True)
class Kuaidi100TrackingConfig:
    key: str = ""
    customer: str = ""
    poll_url: str = POLL_URL
    query_url: str = QUERY_URL
    timeout: float = 15.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Kuaidi100TrackingConfig:
        env = os.environ if environ is None else environ

        def get(name: str, default: str = "") -> str:
            return (env.get(PREFIX + name) or default).strip()

        try:
            timeout = float(get("TIMEOUT", "15"))
        except ValueError:
            timeout = 15.0
        return cls(key=get("KEY"), customer=get("CUSTOMER"), poll_url=get("POLL_URL", POLL_URL),
                   query_url=get("QUERY_URL", QUERY_URL), timeout=timeout)

    @property
    def configured(self) -> bool:
        """Both credentials present: fahuo can subscribe and poll."""
        return bool(self.key and self.customer)


# ---- pure: requests ------------------------------------------------------------------------------------


def dumps(obj: Mapping[str, Any]) -> str:
    """The exact `param` text sent (and signed): compact, Chinese kept as is."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def query_sign(param: str, key: str, customer: str) -> str:
    """MD5(param + key + customer), 32 upper-case hex digits, over UTF-8 bytes."""
    return hashlib.md5((param + key + customer).encode("utf-8")).hexdigest().upper()


def build_subscribe_form(number: str, com: str, *, key: str, callback_url: str, salt: str,
                         phone_last4: str = "") -> dict[str, str]:
    parameters: dict[str, str] = {"callbackurl": callback_url, "salt": salt, "resultv2": RESULTV2}
    if phone_last4:
        parameters["phone"] = phone_last4
    param = {"company": com, "number": number, "key": key, "parameters": parameters}
    return {"schema": "json", "param": dumps(param)}


def build_query_form(number: str, com: str, *, key: str, customer: str, phone_last4: str = "") -> dict[str, str]:
    obj: dict[str, str] = {"com": com, "num": number}
    if phone_last4:
        obj["phone"] = phone_last4
    obj["resultv2"] = RESULTV2
    param = dumps(obj)
    return {"customer": customer, "sign": query_sign(param, key, customer), "param": param}


# ---- pure: answers -------------------------------------------------------------------------------------


def _load(text: str) -> Mapping[str, Any]:
    try:
        obj = json.loads(text)
    except ValueError:
        raise SourceError(BAD_ANSWER, "快递100 的回答不是 JSON (kuaidi100 answer is not JSON)",
                          source_message=text[:200])
    if not isinstance(obj, dict):
        raise SourceError(BAD_ANSWER, "快递100 的回答不是对象 (kuaidi100 answer is not an object)",
                          source_message=text[:200])
    return obj


def _rate_limited(message: str) -> bool:
    low = message.lower()
    return any(w in low for w in _RATE_WORDS)


def parse_subscribe_answer(text: str) -> SubscribeResult:
    """{result, returnCode, message} → SubscribeResult (200 or 501 重复订阅), else SourceError."""
    obj = _load(text)
    code = str(obj.get("returnCode") or "").strip()
    message = str(obj.get("message") or "")
    if code in ("200", "501") or (not code and obj.get("result") is True):
        return SubscribeResult(True, code or "200", message, already=code == "501")
    if _rate_limited(message):
        raise SourceError(RATE_LIMITED, "快递100 订阅太频繁 (kuaidi100: subscribing too often)",
                          source_code=code, source_message=message)
    ours, text_ = SUBSCRIBE_CODES.get(code, (UNAVAILABLE, "快递100 订阅失败 (kuaidi100 subscribe failed)"))
    raise SourceError(ours or UNAVAILABLE, text_, source_code=code, source_message=message)


def parse_query_answer(text: str) -> list[Event]:
    """The trace as Events (the push parser reads it: same `lastResult` shape); [] for 500 查询无结果."""
    obj = _load(text)
    code = str(obj.get("returnCode") or "").strip()
    message = str(obj.get("message") or "")
    if "data" in obj or ("nu" in obj and message.lower() == "ok"):
        try:
            return parse_kuaidi100_push(dumps({"status": "polling", "lastResult": obj})).events
        except TrackingFormatError as e:
            raise SourceError(BAD_ANSWER, f"快递100 轨迹无法读取 (unreadable trace: {e.code})",
                              source_code=code, source_message=str(e)[:200])
    if code == NO_TRACE_YET:
        return []
    if _rate_limited(message):
        raise SourceError(RATE_LIMITED, "快递100 查询太频繁 (kuaidi100: queried too often)",
                          source_code=code, source_message=message)
    ours, text_ = QUERY_CODES.get(code, (UNAVAILABLE, "快递100 查询失败 (kuaidi100 query failed)"))
    raise SourceError(ours, text_, source_code=code, source_message=message)


# ---- the transport -------------------------------------------------------------------------------------


def send(url: str, form: Mapping[str, str], *, timeout: float) -> str:
    """POST `form` (x-www-form-urlencoded, UTF-8) to `url`; the answer's text. Errors never carry the form."""
    data = urllib.parse.urlencode(dict(form), encoding="utf-8").encode("ascii")
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
        "Accept": "application/json", "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            charset = response.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as e:
        if e.code == 429:
            raise SourceError(RATE_LIMITED, "快递100 返回 HTTP 429 (too many requests)", source_code="429")
        raise SourceError(UNAVAILABLE, f"快递100 返回 HTTP {e.code} (kuaidi100 answered HTTP {e.code})",
                          source_code=str(e.code))
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise SourceError(UNAVAILABLE, f"连不上快递100：{reason} (kuaidi100 unreachable: {reason})")
    return raw.decode(charset, errors="replace")


class Kuaidi100Source:
    name = NAME
    min_poll_interval = MIN_POLL_INTERVAL

    def __init__(self, config: Kuaidi100TrackingConfig, *, send: Send | None = None) -> None:
        self.config = config
        self._send = send

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, send: Send | None = None) -> Kuaidi100Source:
        return cls(Kuaidi100TrackingConfig.from_env(environ), send=send)

    def _post(self, url: str, form: Mapping[str, str]) -> str:
        transport = self._send or send
        return transport(url, form, timeout=self.config.timeout)

    def _require(self, *names: str) -> None:
        missing = [PREFIX + n.upper() for n in names if not getattr(self.config, n)]
        if missing:
            raise SourceError(AUTH, f"快递100 未配置：缺少 {', '.join(missing)} (kuaidi100 not configured)")

    def subscribe(self, number: str, com: str, phone_last4: str, callback_url: str, salt: str) -> SubscribeResult:
        self._require("key")
        if not com:
            raise SourceError(BAD_NUMBER, "没有快递100 快递公司编码 (no kuaidi100 carrier code)")
        form = build_subscribe_form(number, com, key=self.config.key, callback_url=callback_url, salt=salt,
                                    phone_last4=phone_last4)
        return parse_subscribe_answer(self._post(self.config.poll_url, form))

    def poll(self, number: str, com: str, phone_last4: str) -> list[Event]:
        self._require("key", "customer")
        if not com:
            raise SourceError(BAD_NUMBER, "没有快递100 快递公司编码 (no kuaidi100 carrier code)")
        form = build_query_form(number, com, key=self.config.key, customer=self.config.customer,
                                phone_last4=phone_last4)
        return parse_query_answer(self._post(self.config.query_url, form))

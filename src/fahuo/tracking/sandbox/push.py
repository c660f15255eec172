"""快递100 push bodies (form fields `param` + `sign`) for 演示快递 events, exactly as FORMATS.md describes.

    body = kuaidi100_push("FH000000000042", COM, events, salt="s3cret")
    body["param"]  # JSON text: {"status":"polling","message":"","autoCheck":"0","comOld":"","comNew":"",
                   #             "lastResult":{"message":"ok","state":"0","status":"200","condition":"F00",
                   #                           "ischeck":"0","com":"demo","nu":"FH…","data":[…newest first]}}
    body["sign"]   # MD5(param + salt), uppercase hex

The 快递100 `com` code of the sandbox carrier is "demo" (`COM`). No real carrier uses it; 快递100 itself would
not know it, which is right: sandbox pushes are made here, never fetched.

Each `data` item: context, time and ftime ("YYYY-MM-DD HH:MM:SS", Asia/Shanghai), status (the state's
name, as with resultv2=1), areaName ("浙江,杭州市"; a municipality as just "北京市" — 快递100's exact
spelling is unconfirmed), and statusCode (the advanced code) when `resultv2=True`. JSON is compact and keeps
Chinese as is (ensure_ascii=False); the sign is over the UTF-8 bytes of that exact text.

Variants: `status="updateall"` (a full re-push, `kuaidi100_updateall`), `kuaidi100_abort` (status abort,
comNew = the corrected carrier code), `status="shutdown"` (the last push, after 签收 or 退签), and
`push_sequence`, one cumulative push per event as a subscription would deliver them, with duplicates.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from random import Random
from typing import NamedTuple

from fahuo.carriers.provinces import short_name
from fahuo.tracking.sandbox.stream import SHANGHAI, GeneratedEvent

COM = "demo"
STATE_NAMES = {
    "0": "在途", "1": "揽收", "2": "疑难", "3": "签收", "4": "退签", "5": "派件", "6": "退回", "7": "转投",
    "8": "清关", "10": "待清关", "11": "清关中", "12": "已清关", "13": "清关异常", "14": "拒签",
}  # fmt: skip
FINAL_STATES = frozenset({"3", "4"})  # after these 快递100 stops watching: status "shutdown"
SUCCESS_ANSWER = {"result": True, "returnCode": "200", "message": "成功"}


class Push(NamedTuple):
    at: datetime  # when the push would be sent
    body: dict[str, str]  # {"param": json text, "sign": hex}


def sign(param: str, salt: str) -> str:
    return hashlib.md5((param + salt).encode("utf-8")).hexdigest().upper()


def verify(param: str, signature: str, salt: str) -> bool:
    return hmac.compare_digest(sign(param, salt), (signature or "").upper())


def area_name(e: GeneratedEvent) -> str:
    prov = short_name(e.province) if e.province else ""
    return f"{prov},{e.area_name}" if prov and e.province != e.area_name else e.area_name


def _item(e: GeneratedEvent, resultv2: bool) -> dict[str, str]:
    t = e.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    item = {"context": e.context, "time": t, "ftime": t, "status": STATE_NAMES.get(e.state, ""),
            "areaName": area_name(e)}
    if resultv2:
        item["statusCode"] = e.sub_state or e.state
    return item


def last_result(number: str, com: str, events: Iterable[GeneratedEvent], resultv2: bool = False) -> dict:
    """快递100's `lastResult`: full data, newest first; state and ischeck from the newest event."""
    newest_first = [e for _, e in sorted(enumerate(events), key=lambda ie: (ie[1].at, ie[0]), reverse=True)]
    state = newest_first[0].state if newest_first else "0"
    return {
        "message": "ok", "state": state, "status": "200", "condition": "F00",
        "ischeck": "1" if state == "3" else "0", "com": com, "nu": number,
        "data": [_item(e, resultv2) for e in newest_first],
    }  # fmt: skip


def kuaidi100_push(
    number: str,
    com: str,
    events: Iterable[GeneratedEvent],
    status: str = "polling",
    salt: str = "",
    *,
    message: str = "",
    auto_check: str = "0",
    com_old: str = "",
    com_new: str = "",
    resultv2: bool = False,
) -> dict[str, str]:
    """The form body of one push: {"param": JSON text, "sign": MD5(param + salt) uppercase hex}."""
    param = json.dumps(
        {"status": status, "message": message, "autoCheck": auto_check, "comOld": com_old, "comNew": com_new,
         "lastResult": last_result(number, com, events, resultv2)},
        ensure_ascii=False, separators=(",", ":"),
    )  # fmt: skip
    return {"param": param, "sign": sign(param, salt)}


def kuaidi100_updateall(number: str, com: str, events: Iterable[GeneratedEvent], salt: str = "",
                        **kw) -> dict[str, str]:
    """A full re-push (status updateall): every event again, the receiver must end in the same state."""
    return kuaidi100_push(number, com, events, "updateall", salt, **kw)


def kuaidi100_abort(number: str, com: str, com_new: str, salt: str = "",
                    events: Iterable[GeneratedEvent] = (), message: str = "3天查询无记录") -> dict[str, str]:
    """快递100 found the carrier code wrong: status abort, autoCheck 0, comOld empty, comNew the corrected code
    (the receiver re-subscribes under it). `lastResult.com` is the code that was submitted."""
    return kuaidi100_push(number, com, events, "abort", salt, message=message, com_new=com_new)


def push_sequence(
    number: str,
    events: Sequence[GeneratedEvent],
    salt: str = "",
    com: str = COM,
    *,
    duplicates: float = 0.0,
    rng: Random | None = None,
    resultv2: bool = False,
) -> list[Push]:
    """One push per event, as a subscription delivers them: each carries every event so far (newest first),
    sent at the event's time; the last is "shutdown" when the parcel is signed or 退签. With `duplicates`
    > 0 a push is sent twice at that rate (same body, same time), drawn from `rng`."""
    rng = rng or Random(0)
    ordered = [e for _, e in sorted(enumerate(events), key=lambda ie: (ie[1].at, ie[0]))]
    pushes: list[Push] = []
    for i, e in enumerate(ordered):
        final = i == len(ordered) - 1 and e.state in FINAL_STATES
        body = kuaidi100_push(number, com, ordered[: i + 1], "shutdown" if final else "polling", salt,
                              resultv2=resultv2)
        pushes.append(Push(e.at, body))
        if duplicates and rng.random() < duplicates:
            pushes.append(Push(e.at, dict(body)))
    return pushes

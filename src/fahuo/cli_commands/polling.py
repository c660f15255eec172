"""Subcommands for tracking sources: `track poll [--limit N]` (one polling round now) and `track subscribe NUMBER`.
Added under the `track` command that cli_commands/tracking.py creates; `HANDLERS` is wired into fahuo/cli.py."""

from __future__ import annotations

import argparse

from fahuo.cli_commands.output import emit_json


def _track_actions(sub) -> argparse._SubParsersAction:
    track = sub.choices["track"]  # made by cli_commands.tracking.add_parsers, which runs first
    return next(a for a in track._actions if isinstance(a, argparse._SubParsersAction))


def add_parsers(sub) -> None:
    actions = _track_actions(sub)
    tp = actions.add_parser("poll", help="立即查询一轮到期的运单 (run one polling round now)")
    tp.add_argument("--limit", type=int, default=100, help="最多查询多少个包裹 (at most this many parcels)")
    tp.add_argument("--json", action="store_true")
    tsub = actions.add_parser("subscribe", help="订阅运单的物流推送或查询 (subscribe a shipped parcel's number)")
    tsub.add_argument("number", metavar="NUMBER")
    tsub.add_argument("--json", action="store_true")


def track_poll(args) -> int:
    from fahuo.tracking.services import polling

    counts = polling.tick(limit=max(1, min(args.limit, 10000)))
    if args.json:
        emit_json(counts)
    else:
        print(f"到期 {counts['due']} 个，查询 {counts['polled']} 个，跳过 {counts['skipped']} 个，"
              f"收到 {counts['events']} 条事件（新增 {counts['stored']} 条），失败 {counts['failed']} 个"
              f"（限流 {counts['rate_limited']} 个）")
    return 0


def track_subscribe(args) -> int:
    from fahuo.tracking.services import subscriptions

    t = subscriptions.subscribe_number(args.number)
    out = {"number": t.number, "carrier": t.carrier, "mode": t.mode or "none", "subscribed_at": t.subscribed_at,
           "next_poll_at": t.next_poll_at, "error": t.subscribe_error}
    if args.json:
        emit_json(out)
        return 0
    mode = {"push": "推送", "poll": "定时查询"}.get(t.mode, "无物流来源")
    print(f"{t.number}  {t.carrier}  跟踪方式：{mode}（{out['mode']}）"
          + (f"  下次查询 {t.next_poll_at:%Y-%m-%d %H:%M}" if t.next_poll_at else ""))
    if t.subscribe_error:
        print(f"订阅被拒：{t.subscribe_error}")
    return 0


HANDLERS = {
    ("track", "poll"): track_poll,
    ("track", "subscribe"): track_subscribe,
}

"""Subcommands for notifications: `notify channels`, `notify test NAME`, `notify digest [--send]`,
`notify buyer-message ORDER_NO --kind shipped [--lang en]`.
The CLI is the owner (by=None). `add_parsers` and `HANDLERS` are wired into fahuo/cli.py."""

from __future__ import annotations

import sys
from datetime import date

from fahuo.cli_commands.output import emit_json, table


def add_parsers(sub) -> None:
    n = sub.add_parser("notify", help="通知 (notifications)").add_subparsers(dest="action", required=True,
                                                                         metavar="ACTION")
    nc = n.add_parser("channels", help="列出通知通道 (list notification channels)")
    nc.add_argument("--json", action="store_true")
    nt = n.add_parser("test", help="通过一个通道发送测试通知 (send a test notice now)")
    nt.add_argument("name", metavar="NAME", help="通道名称或编号 (channel name or id)")
    nt.add_argument("--json", action="store_true")
    nd = n.add_parser("digest", help="今天的每日汇总 (show today's digest; --send queues it)")
    nd.add_argument("--send", action="store_true", help="发送到接收每日汇总的通道 (queue it to the digest channels)")
    nd.add_argument("--json", action="store_true")
    nb = n.add_parser("buyer-message", help="给买家的消息，粘贴到千牛 (a message to the buyer)")
    nb.add_argument("order_no", metavar="ORDER_NO")
    nb.add_argument("--kind", choices=["shipped", "delayed", "delivered_followup"], default="shipped")
    nb.add_argument("--lang", choices=["zh", "en"], default="zh")
    nb.add_argument("--reason", choices=["restock", "pickup", "weather", "other"], default=None,
                    help="延迟原因 (delayed only)")
    nb.add_argument("--other", default="", help="其他原因的说明 (the words for --reason other)")
    nb.add_argument("--date", default=None, help="预计发货日期 YYYY-MM-DD (delayed only)")
    nb.add_argument("--send", action="store_true", help="同时发到接收买家消息的通道 (also queue it to channels)")
    nb.add_argument("--json", action="store_true")


def notify_channels(args) -> int:
    from fahuo.notify.api import channel_dict
    from fahuo.notify.models import Channel

    rows = [channel_dict(c) for c in Channel.objects.all()]
    if args.json:
        emit_json(rows)
        return 0
    takes = {"takes_urgent": "紧急", "takes_digest": "汇总", "takes_buyer_message": "买家消息"}
    table(["编号", "名称", "类型", "启用", "接收"],
          [(r["id"], r["name"], r["kind"], "是" if r["enabled"] else "否",
            "、".join(v for k, v in takes.items() if r[k]) or "-") for r in rows])
    return 0


def notify_test(args) -> int:
    from fahuo.notify import services
    from fahuo.notify.api import notification_dict

    n = services.test_send(args.name)
    if args.json:
        emit_json(notification_dict(n))
    elif n.state == "sent":
        print(f"已发送：测试通知已通过「{n.channel.name}」发出")
    else:
        print(f"发送失败：{n.last_error}", file=sys.stderr)
    return 0 if n.state == "sent" else 1


def notify_digest(args) -> int:
    from fahuo.notify import digest

    data, title, text = digest.build()
    queued = len(digest.send_digest()) if args.send else 0
    if args.json:
        emit_json({"day": data.day.isoformat(), "title": title, "text": text, "to_ship_today": data.to_ship_today,
                   "overdue": data.overdue, "no_pickup": data.no_pickup,
                   "delivered_yesterday": data.delivered_yesterday, "new_exceptions": data.new_exceptions,
                   "open_by_type": [list(t) for t in data.open_by_type], "queued": queued})
        return 0
    print(title)
    print(text)
    if args.send:
        print(f"\n已加入发送队列：{queued} 个通道" if queued else "\n今天的汇总已经发送过，或没有接收汇总的通道")
    return 0


def notify_buyer_message(args) -> int:
    from fahuo.core.errors import InvalidInput
    from fahuo.notify.buyer import buyer_message

    try:
        day = date.fromisoformat(args.date) if args.date else None
    except ValueError as e:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD：{args.date} (bad date)", code="invalid_date") from e
    res = buyer_message(args.order_no, args.kind, reason=args.reason, other=args.other, new_date=day, lang=args.lang,
                        send=args.send)
    if args.json:
        emit_json(res)
    else:
        print(res["text"])
        if args.send:
            print(f"\n已加入发送队列：{res['queued']} 个通道", file=sys.stderr)
    return 0


HANDLERS = {
    ("notify", "channels"): notify_channels,
    ("notify", "test"): notify_test,
    ("notify", "digest"): notify_digest,
    ("notify", "buyer-message"): notify_buyer_message,
}

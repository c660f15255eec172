"""Subcommands for tracking: `track ingest FILE`, `track show NUMBER`, `track report NUMBER`, `exceptions list`,
`exceptions show ID`, `exceptions resolve ID`, `sweep`.
The CLI is the owner (by=None). `add_parsers` and `HANDLERS` are wired into fahuo/cli.py."""

from __future__ import annotations

import sys

from fahuo.cli_commands.output import FileProblem, emit_json, read_file, table


def add_parsers(sub) -> None:
    track = sub.add_parser("track", help="物流跟踪 (tracking)").add_subparsers(dest="action", required=True,
                                                                            metavar="ACTION")
    ti = track.add_parser("ingest", help="导入物流事件文件 (ingest a generic JSON file or a 快递100 push param)")
    ti.add_argument("path", metavar="FILE")
    ti.add_argument("--json", action="store_true")
    ts = track.add_parser("show", help="查看运单的物流状态和轨迹 (a number's state and timeline)")
    ts.add_argument("number", metavar="NUMBER")
    ts.add_argument("--json", action="store_true")
    tr = track.add_parser("report", help="登记包裹破损或丢失 (report a shipped parcel damaged or lost)")
    tr.add_argument("number", metavar="NUMBER")
    tr.add_argument("--kind", choices=["damaged", "lost"], required=True, help="damaged 破损 | lost 丢失")
    tr.add_argument("--note", default="", help="情况说明 (what happened)")
    tr.add_argument("--json", action="store_true")

    exc = sub.add_parser("exceptions", help="异常件 (exception cases)").add_subparsers(
        dest="action", required=True, metavar="ACTION")
    el = exc.add_parser("list", help="异常列表 (the exception queue)")
    el.add_argument("--type", default="", help="只看这一类 (only this type: no_pickup, stale, ship_by_passed …)")
    el.add_argument("--state", choices=["open", "resolved", "all"], default="open")
    el.add_argument("--limit", type=int, default=100)
    el.add_argument("--age", choices=["lt6h", "6to24h", "gt1d", "gt3d"], default="",
                    help="开始了多久 (since the cause began: <6h, 6-24h, >1 day, >3 days)")
    el.add_argument("--unassigned", action="store_true", help="只看未指派的 (only unassigned cases)")
    el.add_argument("--json", action="store_true")
    es = exc.add_parser("show", help="查看一个异常 (one exception case with its evidence and notes)")
    es.add_argument("id", metavar="ID", type=int)
    es.add_argument("--json", action="store_true")
    er = exc.add_parser("resolve", help="标记异常已解决 (mark an exception resolved)")
    er.add_argument("id", metavar="ID", type=int)
    er.add_argument("--resolution", required=True, help="处理结果 (how it was resolved)")
    er.add_argument("--json", action="store_true")

    sw = sub.add_parser("sweep", help="巡检：找出超时、未揽收、停滞等异常 (run the exception sweep now)")
    sw.add_argument("--json", action="store_true")


def track_ingest(args) -> int:
    from fahuo.tracking.events import TrackingFormatError
    from fahuo.tracking.services.webhooks import ingest_local

    try:
        raw = read_file(args.path)
        res = ingest_local(raw)
    except FileProblem as e:
        print(str(e), file=sys.stderr)
        return 2
    except TrackingFormatError as e:
        print(f"错误：无法读取物流事件（{e.code}）：{e} (unreadable tracking file)", file=sys.stderr)
        return 2
    out = {"received": res.received, "stored": res.stored, "duplicates": res.duplicates, "parcels": res.parcels}
    if args.json:
        emit_json(out)
    else:
        print(f"收到 {res.received} 条，新增 {res.stored} 条，重复 {res.duplicates} 条；涉及 {len(res.parcels)} 个包裹")
    return 0


def track_show(args) -> int:
    from fahuo.tracking.selectors import track_dict

    d = track_dict(args.number.strip())
    if args.json:
        emit_json(d)
        return 0
    print(f"{d['number']}  {d['carrier']}  {d['status_zh']}（{d['status']}）  订单 {d['order_no'] or '-'}")
    if d["transferred_to"]:
        print(f"已转单：新单号 {d['transferred_to']}")
    table(["时间", "状态", "城市", "内容"], [(e["at"][:16].replace("T", " "), e["status"], e["city"], e["context"])
                                       for e in d["timeline"]])
    return 0


def exceptions_list(args) -> int:
    from fahuo.tracking.selectors import cases

    rows = cases(type=args.type, state="" if args.state == "all" else args.state, age=args.age,
                 assigned="none" if args.unassigned else "", limit=max(1, min(args.limit, 5000)))
    if args.json:
        emit_json(rows)
        return 0
    table(["ID", "类型", "级别", "订单", "运单号", "开始", "状态", "说明"],
          [(r["id"], r["type"], r["severity"], r["order_no"], r["waybill"] or "", r["since"][:16].replace("T", " "),
            r["state"], r["title"]) for r in rows])
    return 0


def _print_case(d: dict) -> None:
    print(f"#{d['id']}  {d['type']}  {d['severity']}  {d['state']}  订单 {d['order_no']}  运单 {d['waybill'] or '-'}")
    print(d["title"])
    print(f"开始 {d['since']}  处理人 {d['assigned_to'] or '-'}")
    if d["estimated_compensation"] is not None:
        print(f"延迟发货赔付约 ¥{d['estimated_compensation']}（估算）")
    if d["state"] == "resolved":
        print(f"已解决 {d['resolved_at']}：{d['resolution']}")
    for n in d["notes"]:
        print(f"  {n.get('at', '')[:16].replace('T', ' ')}  {n.get('by') or '-'}  {n.get('kind', 'note')}  {n.get('text', '')}")


def exceptions_show(args) -> int:
    from fahuo.tracking.selectors import case_dict, get_case

    d = case_dict(get_case(args.id))
    if args.json:
        emit_json(d)
    else:
        _print_case(d)
    return 0


def exceptions_resolve(args) -> int:
    from fahuo.tracking.selectors import case_dict, get_case
    from fahuo.tracking.services import exceptions

    text = args.resolution.strip()
    if not text:
        print("错误：请写处理结果 (--resolution is empty)", file=sys.stderr)
        return 2
    exceptions.resolve(case_id=args.id, resolution=text[:200], by=None)
    d = case_dict(get_case(args.id))
    if args.json:
        emit_json(d)
    else:
        print(f"异常 #{d['id']} 已解决：{d['resolution']}")
    return 0


def track_report(args) -> int:
    from fahuo.tracking.selectors import case_dict, get_case
    from fahuo.tracking.services import case_actions

    case, opened = case_actions.report(number=args.number.strip(), kind=args.kind, note=args.note, by=None)
    d = {**case_dict(get_case(case.pk)), "opened": opened}
    if args.json:
        emit_json(d)
    elif opened:
        print(f"已登记：异常 #{d['id']}（{d['title']}）")
    else:
        print(f"已经登记过：异常 #{d['id']} 仍在处理中")
    return 0


def sweep(args) -> int:
    from fahuo.tracking.services import sandbox_player
    from fahuo.tracking.services.sweep import sweep as run

    played = sandbox_player.play()
    counts = run()
    if args.json:
        emit_json({"sandbox_events": played, **counts})
    else:
        print(f"检查了 {counts['parcels']} 个包裹、{counts['orders']} 个订单；新异常 {counts['opened']} 个，"
              f"已消除 {counts['closed']} 个（演示快递新事件 {played} 条）")
    return 0


HANDLERS = {
    ("track", "ingest"): track_ingest,
    ("track", "show"): track_show,
    ("track", "report"): track_report,
    ("exceptions", "list"): exceptions_list,
    ("exceptions", "show"): exceptions_show,
    ("exceptions", "resolve"): exceptions_resolve,
    ("sweep", None): sweep,
}

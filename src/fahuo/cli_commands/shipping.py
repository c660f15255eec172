"""Subcommands for the packer's afternoon: waves and their PDFs, ship, the batch-ship file, carriers and number
pools. The CLI is the owner (by=None). `add_parsers` and `HANDLERS` are wired into fahuo/cli.py."""

from __future__ import annotations

import re
import shutil
import sys

from fahuo.cli_commands.output import FileProblem, emit_json, read_file, table
from fahuo.core.errors import FahuoError, InvalidInput, NotFound

SIZES = ("76x130", "100x180", "a4")
KINDS = {"labels": "面单", "picklist": "拣货单", "slips": "发货单"}


def add_parsers(sub) -> None:
    wave = sub.add_parser("wave", help="批次 (waves)").add_subparsers(dest="action", required=True, metavar="ACTION")
    wc = wave.add_parser("create", help="建批次：按条件挑选已审核的订单 (build a wave from confirmed orders)")
    wc.add_argument("--order", dest="orders", action="extend", nargs="+", default=[], metavar="NO",
                    help="只要这些订单 (only these order numbers)")
    wc.add_argument("--carrier", default="", help="推荐的快递是这一家 (recommended carrier: code or name)")
    wc.add_argument("--sku", default="", help="含这个商家编码 (has this SKU)")
    wc.add_argument("--province", default="", help="收货省份 (receiver's province)")
    wc.add_argument("--due-before", default="", metavar="ISO", help="发货期限早于 (ship-by before), 2026-11-25T18:00")
    wc.add_argument("--limit", type=int, default=500, help="最多几单 (at most N orders, 1–5000)")
    wc.add_argument("--size", choices=SIZES, default="76x130", help="面单尺寸 (label size)")
    wc.add_argument("--json", action="store_true")
    wave.add_parser("list", help="批次列表 (waves, newest first)").add_argument("--json", action="store_true")
    wp = wave.add_parser("pdf", help="生成批次的面单/拣货单/发货单 PDF (render a wave's PDF now)")
    wp.add_argument("wave", metavar="ID", help="批次 id 或批次号 (wave id or number, W261124-01)")
    wp.add_argument("--kind", choices=list(KINDS), default="labels")
    wp.add_argument("--size", choices=SIZES, help="面单尺寸，默认用批次的 (label size; default: the wave's)")
    wp.add_argument("--out", metavar="PATH", help="写到这里 (write the PDF here; default: print the stored path)")
    wp.add_argument("--json", action="store_true")

    s = sub.add_parser("ship", help="发货 (mark packed parcels shipped)")
    s.add_argument("codes", nargs="*", metavar="CODE", help="运单号、订单编号或 P+包裹号 (waybill, order number, P123)")
    s.add_argument("--wave", metavar="ID", help="发出批次里所有已打包的包裹 (every packed parcel of a wave)")
    s.add_argument("--json", action="store_true")

    export = sub.add_parser("export", help="导出 (export)").add_subparsers(dest="what", required=True, metavar="WHAT")
    eb = export.add_parser("batch-ship", help="卖家中心批量发货文件 (the batch-ship file for 卖家中心)")
    eb.add_argument("--format", dest="fmt", choices=["csv", "xlsx"], default="csv")
    eb.add_argument("--all", action="store_true", help="包括以前导出过的 (include parcels exported before)")
    eb.add_argument("--include-sandbox", action="store_true", help="包括演示快递的包裹 (include 演示快递 parcels)")
    eb.add_argument("--out", metavar="PATH", help="写到这里 (write the file here; default: print the stored path)")
    eb.add_argument("--json", action="store_true")

    carrier = sub.add_parser("carrier", help="快递公司 (carriers)").add_subparsers(dest="action", required=True,
                                                                              metavar="ACTION")
    cd = carrier.add_parser("detect", help="认单号：是哪家快递 (which carrier a waybill number belongs to)")
    cd.add_argument("number")
    cd.add_argument("--json", action="store_true")
    rules = carrier.add_parser("rules", help="选快递的规则 (carrier rules)").add_subparsers(
        dest="rules_action", required=True, metavar="show|set")
    rules.add_parser("show", help="显示规则 (print the rules)").add_argument("--json", action="store_true")
    rs = rules.add_parser("set", help="用文件替换规则 (replace the rules with a file's text)")
    rs.add_argument("path", metavar="FILE")
    rs.add_argument("--json", action="store_true")
    rates = carrier.add_parser("rates", help="运费价格表 (rate cards)").add_subparsers(
        dest="rates_action", required=True, metavar="import")
    ri = rates.add_parser("import", help="导入价格表 CSV (import a rate card CSV)")
    ri.add_argument("path", metavar="FILE")
    ri.add_argument("--json", action="store_true")

    pool = sub.add_parser("pool", help="单号池 (waybill number pools)").add_subparsers(dest="action", required=True,
                                                                                  metavar="ACTION")
    pa = pool.add_parser("add", help="加入买来的单号 (add purchased numbers)")
    pa.add_argument("carrier")
    pa.add_argument("numbers", nargs="*", metavar="NUMBER", help="单号，或号段 起始-结束 (numbers or START-END ranges)")
    pa.add_argument("--file", metavar="F", help="每行一个单号或号段 (one number or range per line)")
    pa.add_argument("--name", default="")
    pa.add_argument("--warn-below", type=int, default=50, help="剩余少于这个数时提醒 (warn when fewer are left)")
    pa.add_argument("--json", action="store_true")


def _json(value) -> None:
    """One JSON document, times as ISO 8601 like the API's."""
    from datetime import datetime

    def iso(v):
        if isinstance(v, datetime):
            return v.isoformat()
        if isinstance(v, dict):
            return {k: iso(x) for k, x in v.items()}
        if isinstance(v, list):
            return [iso(x) for x in v]
        return v

    emit_json(iso(value))


def _fail_file(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return 2


def _text(path: str) -> str:
    """A text file the seller saved (UTF-8 or GBK); FileProblem when it cannot be read."""
    from fahuo.carriers.api import decode_csv

    data = read_file(path)
    try:
        return decode_csv(data)
    except InvalidInput as e:
        raise FileProblem(f"{path}：{e.message}") from e


def _copy(src: str, out: str) -> None:
    try:
        shutil.copyfile(src, out)
    except OSError as e:
        raise FileProblem(f"无法写入 {out}：{e.strerror or e} (cannot write the file)") from e


def _wave(ident: str):
    """A wave by id (3) or number (W261124-01)."""
    from fahuo.fulfilment import selectors

    qs = selectors.waves().select_related("created_by")
    w = qs.filter(pk=int(ident)).first() if ident.isascii() and ident.isdigit() and len(ident) < 19 else None
    w = w or qs.filter(no=ident.strip()).first()
    if w is None:
        raise NotFound(f"批次 {ident} 不存在 (wave not found)", code="wave_not_found")
    return w


# ---------------------------------------------------------------------------------------------- waves


def _due(text: str):
    from datetime import datetime

    from django.utils import timezone

    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"时间 {text} 看不懂，请写成 2026-11-25T18:00 (bad ISO time)", code="bad_time")
    return timezone.make_aware(dt) if timezone.is_naive(dt) else dt


def wave_create(args) -> int:
    from fahuo.carriers.api import resolve_carrier
    from fahuo.fulfilment.api import created_dict
    from fahuo.fulfilment.services.waves import WaveFilter, create_wave

    filters = WaveFilter(order_nos=args.orders, carrier=resolve_carrier(args.carrier) if args.carrier else "",
                         sku=args.sku, province=args.province, ship_by_before=_due(args.due_before), limit=args.limit)
    res = create_wave(by=None, filters=filters, label_size=args.size)
    out = created_dict(res)
    if args.json:
        _json(out)
    else:
        if res.wave:
            print(f"批次 {res.wave.no}（id {res.wave.pk}）：{len(res.added)} 单，面单 {res.wave.label_size}")
        for s in out["skipped"]:
            print(f"  {s['order_no']}  跳过：{s['reason']}")
    if res.wave is None:
        print("没有可以加入批次的订单 (no order fits)", file=sys.stderr)
        return 1
    return 0


def wave_list(args) -> int:
    from fahuo.fulfilment import selectors
    from fahuo.fulfilment.api import wave_dict

    waves = [wave_dict(w) for w in selectors.waves().select_related("created_by")[:200]]
    if args.json:
        _json(waves)
        return 0
    from fahuo.core import clock

    states = {"open": "拣货中", "done": "已完成"}
    table(["id", "批次号", "状态", "包裹", "已打包", "已发货", "面单", "创建时间"],
          [[w["id"], w["no"], states.get(w["state"], w["state"]), w["parcels"], w["packed"], w["shipped"],
            w["label_size"], f"{clock.local(w['created_at']):%m-%d %H:%M}"] for w in waves])
    return 0


def wave_pdf(args) -> int:
    from fahuo.fulfilment.api import document_dict
    from fahuo.fulfilment.services import docs

    w = _wave(args.wave)
    doc = docs.request(wave_id=w.pk, kind=args.kind, size=args.size or "", by=None)
    try:
        doc = docs.render(doc.pk)  # in-process, now: the job (queued or already run) finds it done and stops
    except FahuoError:
        raise
    except Exception as e:  # a font or a disk problem: say so, exit 1
        print(f"错误：生成 PDF 失败：{e} (rendering failed)", file=sys.stderr)
        return 1
    path = doc.path
    try:
        if args.out:
            _copy(doc.path, args.out)
            path = args.out
    except FileProblem as e:
        return _fail_file(str(e))
    if args.json:
        _json({**document_dict(doc), "path": path})
    else:
        print(path)
    return 0


# ---------------------------------------------------------------------------------------------- ship


def ship(args) -> int:
    from fahuo.carriers.services import carrier_name
    from fahuo.fulfilment import selectors
    from fahuo.fulfilment.selectors import parcel_dict
    from fahuo.fulfilment.services import shipping

    if args.wave and args.codes:
        raise InvalidInput("运单号和 --wave 只能给一种 (CODE… or --wave, not both)", code="bad_arguments")
    if args.wave:
        w = _wave(args.wave)
        res = shipping.ship_wave(wave_id=w.pk, by=None)
        if args.json:
            _json({"wave": w.no, **res})
        else:
            print(f"批次 {w.no}：发货 {len(res['shipped'])} 个包裹")
            if res["not_packed"]:
                print(f"还没验货打包，未发：{', '.join(res['not_packed'])}")
            for s in res["intercepted"]:
                print(f"拦截，未发：{s['waybill']} — {s['reason']}")
        return 1 if res["intercepted"] else 0
    if not args.codes:
        raise InvalidInput("请给出运单号、订单编号或 P+包裹号，或用 --wave (CODE… or --wave)", code="nothing_to_ship")
    results = []
    for code in args.codes:
        try:
            p = shipping.ship(code=code, by=None)
        except FahuoError as e:
            results.append({"code": code, "error": e.as_dict()})
            continue
        results.append({"code": code, "parcel": parcel_dict(selectors.parcel_detail(p.pk), user=None)})
    refused = [r for r in results if "error" in r]
    if args.json:
        _json(results)
    else:
        for r in results:
            if "error" in r:
                print(f"{r['code']}  未发货：{r['error']['message']}")
            else:
                p = r["parcel"]
                print(f"{r['code']}  已发货：{carrier_name(p['carrier'])} {p['waybill']}（订单 {p['order_no']}）")
        print(f"共 {len(results)} 个，发货 {len(results) - len(refused)}，未发货 {len(refused)}")
    return 1 if refused else 0


# ---------------------------------------------------------------------------------------------- export


def export_batch_ship(args) -> int:
    from fahuo.fulfilment.services.shipping import export_batch_ship as export

    e = export(fmt=args.fmt, include_exported=args.all, include_sandbox=args.include_sandbox, by=None)
    path = e.path
    if args.out:
        try:
            _copy(e.path, args.out)
        except FileProblem as err:
            return _fail_file(str(err))
        path = args.out
    if args.json:
        _json({"id": e.pk, "fmt": e.fmt, "rows": e.rows, "path": path})
    elif e.rows:
        print(f"已导出 {e.rows} 行：{path}")
    else:
        print(f"没有新的已发货包裹，文件只有表头：{path}")
    return 0


# ---------------------------------------------------------------------------------------------- carriers


def carrier_detect(args) -> int:
    from fahuo.carriers.api import detect_dict

    got = detect_dict(args.number)
    if args.json:
        _json(got)
    else:
        print(got["number"])
        if got["candidates"]:
            table(["代码", "快递", "分数"], [[c["code"], c["name"], f"{c['score']:.2f}"] for c in got["candidates"]])
    if not got["candidates"]:
        print(f"认不出 {got['number']} 是哪家快递 (no carrier's pattern fits)", file=sys.stderr)
        return 1
    return 0


def carrier_rules(args) -> int:
    from fahuo.carriers.api import rules_dict
    from fahuo.carriers.models import ChoiceRules
    from fahuo.carriers.services import save_rules

    if args.rules_action == "show":
        got = rules_dict(ChoiceRules.get().text)
        if args.json:
            _json(got)
        else:
            sys.stdout.write(got["text"] + ("\n" if got["text"] and not got["text"].endswith("\n") else ""))
        return 0
    try:
        text = _text(args.path)
    except FileProblem as e:
        return _fail_file(str(e))
    try:
        save_rules(text=text, by=None)
    except InvalidInput as e:
        if e.code != "bad_rules":
            raise
        print("错误：规则有误，未保存 (rules have errors; nothing saved)", file=sys.stderr)
        for err in e.data["errors"]:
            print(f"  {err['message']}", file=sys.stderr)
        return 1
    got = rules_dict(text)
    if args.json:
        _json(got)
    else:
        print(f"已保存 {len(got['rules'])} 条规则")
    return 0


def carrier_rates(args) -> int:
    from fahuo.carriers.api import import_rates_text

    try:
        text = _text(args.path)
    except FileProblem as e:
        return _fail_file(str(e))
    got = import_rates_text(text, by=None)
    if args.json:
        _json(got)
    elif got["rejected"]:
        print(f"有 {len(got['rejected'])} 行有误，什么都没保存 (nothing stored)")
        for r in got["rejected"]:
            print(f"  第 {r['line']} 行：{r['reason']}")
    else:
        print(f"已保存 {got['stored']} 条运费")
    return 1 if got["rejected"] else 0


def carrier(args) -> int:
    return {"detect": carrier_detect, "rules": carrier_rules, "rates": carrier_rates}[args.action](args)


def pool_add(args) -> int:
    from fahuo.carriers.api import pool_dict, resolve_carrier
    from fahuo.carriers.services import carrier_name
    from fahuo.fulfilment.services.numbers import add_pool, pool_left

    numbers = list(args.numbers)
    if args.file:
        try:
            numbers += [n for n in re.split(r"[\s,，;；]+", _text(args.file)) if n]
        except FileProblem as e:
            return _fail_file(str(e))
    if not numbers:
        raise InvalidInput("请给出单号或 --file (NUMBER… or --file)", code="bad_pool")
    code = resolve_carrier(args.carrier)
    p = add_pool(carrier_code=code, numbers=numbers, name=args.name, warn_below=args.warn_below, by=None)
    got = pool_dict(p, left=pool_left(code))
    if args.json:
        _json(got)
        return 0
    print(f"已加入 {got['added']} 个单号到{carrier_name(code)}单号池，剩余 {got['left']}")
    if got["left"] < got["warn_below"]:
        print(f"单号不多了（少于 {got['warn_below']}），请补充 (pool is running low)")
    return 0


HANDLERS = {
    ("wave", "create"): wave_create, ("wave", "list"): wave_list, ("wave", "pdf"): wave_pdf,
    ("ship", None): ship, ("export", "batch-ship"): export_batch_ship,
    ("carrier", "detect"): carrier, ("carrier", "rules"): carrier, ("carrier", "rates"): carrier,
    ("pool", "add"): pool_add,
}

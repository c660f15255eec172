"""Subcommands on the shop's data: users, imports, orders, stock, SKUs, tokens. The CLI is the owner (by=None)."""

from __future__ import annotations

import getpass
import os
import sys

from fahuo.cli_commands.output import FileProblem, emit_json, read_file, table
from fahuo.core.errors import InvalidInput


def _fail_file(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return 2


def user_add(args) -> int:
    from fahuo.core.users import add_user

    password = args.password
    if password is None:
        if not sys.stdin.isatty():
            raise InvalidInput("请用 --password 给出密码（非交互终端）(--password is required when stdin is not a tty)",
                               code="password_required")
        password = getpass.getpass("密码 (password): ")
        if getpass.getpass("再输一次 (again): ") != password:
            raise InvalidInput("两次输入的密码不一致 (passwords differ)", code="password_mismatch")
    user = add_user(username=args.name, role=args.role, password=password)
    print(f"已添加用户 {user.username}（{user.get_role_display()}）")
    return 0


def import_orders(args) -> int:
    from fahuo.imports.types import FileUnreadable
    from fahuo.orders.services.imports import import_now

    try:
        data = read_file(args.path)
        items = read_file(args.items) if args.items else None
        s = import_now(data=data, filename=os.path.basename(args.path), items=items,
                       items_filename=os.path.basename(args.items) if args.items else "", by=None)
    except (FileProblem, FileUnreadable) as e:
        return _fail_file(str(e))
    if args.json:
        emit_json(s.as_dict())
        return 0
    print(f"新建 {s.created}，更新 {s.updated}，未变 {s.unchanged}，拒绝 {len(s.rejected)}")
    for r in s.rejected:
        print(f"  第 {r['row']} 行：{r['reason']}")
    return 0


def _check_status(status: str) -> None:
    from fahuo.orders.status import Status

    bad = [s for s in status.split(",") if s and s not in {m.value for m in Status}]
    if bad:
        raise InvalidInput(f"未知状态：{', '.join(bad)}；可选 {', '.join(m.value for m in Status)} (unknown status)",
                           code="bad_filter")


def orders_list(args) -> int:
    from fahuo.orders.selectors import order_dict, order_list
    from fahuo.orders.status import LABELS_ZH, Status

    _check_status(args.status)
    qs = order_list(status=args.status or None, include_merged=True).iterator(chunk_size=2000)
    if args.json:  # streamed: 100,000 orders must not sit in memory twice
        import json

        out = sys.stdout
        out.write("[")
        for i, o in enumerate(qs):
            out.write(("," if i else "") + "\n" + json.dumps(order_dict(o, user=None), ensure_ascii=False))
        out.write("\n]\n")
        return 0
    rows = []
    for o in qs:
        rows.append([o.order_no, LABELS_ZH[Status(o.status)], o.receiver_name, f"{o.province}{o.city}{o.district}",
                     " ".join(f"{(ln.sku.code if ln.sku_id else ln.title)}×{ln.qty}" for ln in o.lines.all()),
                     ",".join(o.problems)])
    table(["订单编号", "状态", "收货人", "地区", "宝贝", "问题"], rows)
    print(f"共 {len(rows)} 单")
    return 0


def orders_confirm(args) -> int:
    from fahuo.orders.services.decide import confirm_many

    if not args.all_ok and not args.order_nos:
        raise InvalidInput("请给出订单编号，或用 --all-ok (ORDER_NO… or --all-ok)", code="nothing_to_confirm")
    results = confirm_many(order_nos=args.order_nos or None, all_ok=args.all_ok, by=None)
    if args.json:
        emit_json([r.as_dict() for r in results])
    else:
        words = {"ready": "已确认，库存已占用", "short": "缺货"}
        for r in results:
            if r.error:
                print(f"{r.order_no}  未确认：{r.error['message']}")
            else:
                short = "：" + "，".join(f"{k} 差 {v}" for k, v in r.short.items()) if r.short else ""
                print(f"{r.order_no}  {words.get(r.status, r.status)}{short}")
        print(f"共 {len(results)} 单，确认 {sum(r.status == 'ready' and not r.error for r in results)}，"
              f"缺货 {sum(bool(r.short) for r in results)}，未确认 {sum(bool(r.error) for r in results)}")
    return 1 if any(r.error for r in results) else 0


def stock_receive(args) -> int:
    from fahuo.inventory.services import receive
    from fahuo.orders.services.decide import reallocate_short

    level = receive(sku_code=args.sku, qty=args.qty, location_code=args.location, reason=args.reason, by=None)
    # the server's worker would do this too (idempotent); the CLI does it now so the answer is complete
    ready = [r.order_no for r in reallocate_short(sku_ids=[level.sku_id], by=None) if r.status == "ready"]
    if args.json:
        emit_json({"sku": level.sku.code, "location": level.location.code, "on_hand": level.on_hand,
                   "allocated": level.allocated, "available": level.available, "reallocated": ready})
        return 0
    print(f"已入库 {level.sku.code} ×{args.qty}（库位 {level.location.code}）：现有 {level.on_hand}，"
          f"已占用 {level.allocated}，可用 {level.available}")
    if ready:
        print(f"{len(ready)} 个缺货订单已占用库存：{', '.join(ready)}")
    return 0


def stock_list(args) -> int:
    from fahuo.inventory.selectors import stock_rows

    rows = [{k: v for k, v in r.items() if k != "id"} for r in stock_rows()]
    if args.json:
        emit_json(rows)
        return 0
    table(["商家编码", "名称", "规格", "现有", "已占用", "可用", "待占用", "预计"],
          [[r["sku"], _short(r["title"]), _short(r["spec"]), r["on_hand"], r["allocated"], r["available"], r["waiting"],
            r["projected"]] for r in rows])
    return 0


def _short(s: str, n: int = 16) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def sku_import(args) -> int:
    from fahuo.inventory.sku_import import import_skus

    try:
        res = import_skus(data=read_file(args.path), by=None)
    except FileProblem as e:
        return _fail_file(str(e))
    except InvalidInput as e:
        if e.code in ("file_unreadable", "missing_column"):
            return _fail_file(e.message)
        raise
    if args.json:
        emit_json(res.as_dict())
        return 0
    print(f"新建 {res.created}，更新 {res.updated}，未变 {res.unchanged}，拒绝 {len(res.rejected)}")
    for r in res.rejected:
        print(f"  第 {r['row']} 行：{r['reason']}")
    return 0


def token_create(args) -> int:
    from django.contrib.auth import get_user_model

    from fahuo.core.errors import NotFound
    from fahuo.core.tokens import create_token

    user = get_user_model().objects.filter(username=args.user).first()
    if user is None:
        raise NotFound(f"用户 {args.user} 不存在 (no such user)", code="user_not_found")
    tok, key = create_token(user=user, name=args.name)
    if args.json:
        emit_json({"id": tok.pk, "name": tok.name, "user": user.username, "key": key})
    else:
        print(f"令牌“{tok.name}”（用户 {user.username}）：\n{key}\n请现在保存，之后不再显示 (shown once)")
    return 0

"""`fahuo`: the one command a self-hoster runs. Thin: parse arguments, set Django up, call services.

Exit statuses: 0 done; 1 refused (a FahuoError: its message goes to stderr); 2 a file that cannot be read
at all (or bad arguments, as argparse does). See `fahuo --help` and issue 2's CLI contract.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from fahuo.cli_commands import notify, polling, shipping, tracking


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fahuo", description="发货 fahuo — 淘宝小店的发货台 (a fulfilment desk)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("migrate", help="建立/升级数据库 (run database migrations)")
    for name, helptext in (("serve", "启动网页服务 (start the web server and a job worker)"),
                           ("demo", "装入演示店铺并启动 (load the demo shop, then serve)")):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("--host", default="127.0.0.1")
        s.add_argument("--port", type=int, default=8000)
        s.add_argument("--workers", type=int, default=2, help=argparse.SUPPRESS)
        if name == "demo":
            s.add_argument("--no-serve", action="store_true", help="只装数据，不启动 (load only)")
            s.add_argument("--orders", type=int, default=300, help="演示订单数 (number of demo orders)")
    w = sub.add_parser("worker", help="后台任务进程 (the huey job consumer)")
    w.add_argument("--no-periodic", action="store_true", help="不跑定时任务 (leave periodic tasks to another worker)")

    user = sub.add_parser("user", help="用户 (users)").add_subparsers(dest="action", required=True, metavar="ACTION")
    ua = user.add_parser("add", help="添加用户 (add a user)")
    ua.add_argument("name")
    ua.add_argument("--role", required=True, choices=["owner", "packer", "cs"])
    ua.add_argument("--password", help="不给时在终端里询问 (prompted when omitted)")

    imp = sub.add_parser("import", help="导入 (import)").add_subparsers(dest="what", required=True, metavar="WHAT")
    io_ = imp.add_parser("orders", help="导入卖家中心订单报表 (import a Taobao order report)")
    io_.add_argument("path")
    io_.add_argument("--items", help="宝贝报表 (the per-line item report)")
    io_.add_argument("--json", action="store_true")

    orders = sub.add_parser("orders", help="订单 (orders)").add_subparsers(dest="action", required=True, metavar="ACTION")
    ol = orders.add_parser("list", help="列出订单 (list orders)")
    ol.add_argument("--status", default="", help="unpaid,review,held,short,ready,… (comma separated)")
    ol.add_argument("--json", action="store_true")
    oc = orders.add_parser("confirm", help="审核确认 (confirm orders)")
    oc.add_argument("order_nos", nargs="*", metavar="ORDER_NO")
    oc.add_argument("--all-ok", action="store_true", help="确认所有没有问题的待审核订单 (every clean order)")
    oc.add_argument("--json", action="store_true")

    stock = sub.add_parser("stock", help="库存 (stock)").add_subparsers(dest="action", required=True, metavar="ACTION")
    sr = stock.add_parser("receive", help="入库 (receive stock)")
    sr.add_argument("sku")
    sr.add_argument("qty", type=int)
    sr.add_argument("--location")
    sr.add_argument("--reason", default="")
    sr.add_argument("--json", action="store_true")
    sl = stock.add_parser("list", help="库存列表 (stock per SKU)")
    sl.add_argument("--json", action="store_true")

    sku = sub.add_parser("sku", help="商品 (SKUs)").add_subparsers(dest="action", required=True, metavar="ACTION")
    si = sku.add_parser("import", help="导入商品 CSV (import SKUs)")
    si.add_argument("path")
    si.add_argument("--json", action="store_true")

    token = sub.add_parser("token", help="API 令牌 (API tokens)").add_subparsers(dest="action", required=True,
                                                                              metavar="ACTION")
    tc = token.add_parser("create", help="创建令牌 (create a token; the key is shown once)")
    tc.add_argument("name")
    tc.add_argument("--user", required=True)
    tc.add_argument("--json", action="store_true")
    shipping.add_parsers(sub)  # wave, ship, export, carrier, pool
    tracking.add_parsers(sub)  # track, exceptions, sweep
    polling.add_parsers(sub)  # track poll, track subscribe
    notify.add_parsers(sub)  # notify channels|test|digest|buyer-message
    return p


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fahuo.settings")
    import django

    django.setup()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_django()
    from django.db.utils import OperationalError, ProgrammingError

    from fahuo.cli_commands import data, server
    from fahuo.core.errors import FahuoError

    handlers = {
        ("migrate", None): server.migrate, ("serve", None): server.serve, ("demo", None): server.demo,
        ("worker", None): server.worker,
        ("user", "add"): data.user_add, ("import", "orders"): data.import_orders,
        ("orders", "list"): data.orders_list, ("orders", "confirm"): data.orders_confirm,
        ("stock", "receive"): data.stock_receive, ("stock", "list"): data.stock_list,
        ("sku", "import"): data.sku_import, ("token", "create"): data.token_create,
        **shipping.HANDLERS,
        **tracking.HANDLERS,
        **polling.HANDLERS,
        **notify.HANDLERS,
    }
    key = (args.command, getattr(args, "action", None) or getattr(args, "what", None))
    try:
        return handlers[key](args) or 0
    except FahuoError as e:
        print(f"错误：{e.message}", file=sys.stderr)
        return 1
    except (OperationalError, ProgrammingError) as e:
        print(f"数据库错误：{e}（是否已运行 fahuo migrate？）(database error: did you run `fahuo migrate`?)",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `fahuo orders list | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())

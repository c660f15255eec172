"""A wave of N waybill labels (76×130) → one PDF: fahuo's render_labels vs bare reportlab.

    python benchmarks/bench_labels.py [--n 5000] [--small 500] [--repeat 3] [--size 76x130] [--profile]

No database: labels are generated from a seed (varied names, addresses, 1–3 items, a buyer message on
a third, every other label masked). Every measurement runs in a fresh child process, so peak RSS
(`ru_maxrss`) is that run's alone; the child reports its RSS before rendering too (after imports, font
registration), and the growth is what rendering cost.

  fahuo  fahuo.fulfilment.labels.render_labels over a generator of LabelData (built per record),
         writing to a file, with a progress callback: fitting, wrapping, masking, streaming pages.
  floor  the same elements with bare reportlab and no fahuo code: the same font file registered as a
         TTFont, a Canvas (zlib page streams, no ASCII85, as fahuo), per label the frame and rules, the
         same strings with drawString at fixed places (bold ones stroked too; each address one string),
         one reportlab Code128 (3-dot modules), showPage; save() at the end.

Time: labels/s at N, `--repeat` alternating runs, medians. Memory: both at --small and at N, plus the
tracemalloc peak (Python heap) in separate runs, to show whether memory is flat in the wave size.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))
import _common as C  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬燕彬鹏辉建国志文浩宇欣怡子轩梓涵雨桐一诺"
REGIONS = [
    ("浙江省", "杭州市", "余杭区", "571", "杭州"), ("广东省", "深圳市", "南山区", "755", "深圳"),
    ("北京", "北京市", "朝阳区", "010", "北京"), ("上海", "上海市", "浦东新区", "021", "上海"),
    ("四川省", "成都市", "都江堰市", "830", "都江堰"), ("江苏省", "苏州市", "工业园区", "512", "苏州"),
    ("湖北省", "武汉市", "洪山区", "027", "武汉"), ("陕西省", "西安市", "雁塔区", "029", "西安"),
    ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "991", "乌市"), ("山东省", "济南市", "历下区", "531", "济南"),
    ("福建省", "厦门市", "思明区", "592", "厦门"), ("重庆", "重庆市", "渝北区", "023", "重庆"),
]  # fmt: skip
AREAS = ["五常街道", "西溪街道", "粤海街道", "望京街道", "幸福镇", "", "", "高新区"]
ROADS = [
    "文一西路",
    "科技南十二路",
    "建国路",
    "世纪大道",
    "人民南路",
    "星湖街",
    "解放大道",
    "长安路",
    "泉城路",
    "湖滨北路",
]
PLACES = ["阳光花园", "万科城", "绿城桂花苑", "创业大厦", "软件园二期", "金地名京", "", ""]
PRODUCTS = ["西湖龙井 明前特级 250g", "碧螺春 100g 罐装", "安吉白茶 礼盒 200g", "铁观音 浓香型 500g", "普洱熟茶饼 357g",
            "茶具套装 青瓷 6件", "滇红金芽 150g", "茉莉花茶 袋泡 20包"]  # fmt: skip
MESSAGES = ["请不要放发票，谢谢！", "周末也可以送", "送到门卫就行", "送人的，不要放价格单", "易碎品请轻拿轻放，谢谢快递小哥😊",
            "请尽快发货，急用！！", "放快递柜，不要打电话"]  # fmt: skip
CARRIERS = [("ZTO", "中通快递", "78", 12), ("YTO", "圆通速递", "YT", 13), ("STO", "申通快递", "77", 13),
            ("YUNDA", "韵达快递", "46", 13), ("SF", "顺丰速运", "SF", 13), ("JT", "极兔速递", "JT", 13)]  # fmt: skip


def records(n: int, seed: int):
    """Plain dicts, made lazily (the input list is not held in memory)."""
    rnd = random.Random(seed)
    for i in range(n):
        code, cname, prefix, digits = rnd.choice(CARRIERS)
        prov, city, dist, area_code, short = rnd.choice(REGIONS)
        detail = (rnd.choice(AREAS) + rnd.choice(ROADS) + f"{rnd.randint(1, 999)}号" + rnd.choice(PLACES)
                  + f"{rnd.randint(1, 30)}幢{rnd.randint(1, 4)}单元{rnd.randint(101, 2802)}室")  # fmt: skip
        items = [f"{p} ×{rnd.randint(1, 3)}" for p in rnd.sample(PRODUCTS, rnd.randint(1, 3))]
        count = rnd.choice((1, 1, 1, 1, 2, 3))
        yield {
            "waybill": prefix + "".join(rnd.choices("0123456789", k=digits)), "carrier_code": code,
            "carrier_name": cname, "name": rnd.choice(SURNAMES) + "".join(rnd.choices(GIVEN, k=rnd.randint(1, 2))),
            "phone": "1" + rnd.choice("3578") + "".join(rnd.choices("0123456789", k=9)),
            "province": prov, "city": city, "district": dist, "detail": detail,
            "sender": ("清风茶庄", "0571-88886666", "浙江省杭州市西湖区龙井路18号"),
            "big_pen": f"{area_code} {short}", "sort_code": f"{area_code}-{rnd.randint(100, 999)}-{rnd.randint(0, 99):02d} {rnd.randint(0, 999):03d}",
            "hub": (f"{short}转运中心", f"{area_code}W"), "masked": i % 2 == 0, "items": items,
            "message": rnd.choice(MESSAGES) if rnd.random() < 0.33 else "",
            "order_no": str(3_900_000_000_000_000_000 + rnd.randint(0, 10**17)),
            "parcel": (rnd.randint(1, count), count), "reprint": 1 if rnd.random() < 0.05 else 0,
        }  # fmt: skip


# --- the two renderers (run in a child) -----------------------------------------------------------------


def run_fahuo(recs, out) -> int:
    from datetime import datetime

    from fahuo.fulfilment.documents import LabelData, Party, Receiver, Routing
    from fahuo.fulfilment.labels import render_labels

    printed = datetime(2026, 11, 24, 14, 30)

    def labels():
        for r in recs:
            yield LabelData(
                waybill=r["waybill"], carrier_code=r["carrier_code"], carrier_name=r["carrier_name"],
                receiver=Receiver(r["name"], r["phone"], r["province"], r["city"], r["district"], r["detail"]),
                sender=Party(*r["sender"]), routing=Routing(r["big_pen"], r["sort_code"], *r["hub"]),
                masked=r["masked"], items=tuple(r["items"]), buyer_message=r["message"], order_nos=(r["order_no"],),
                parcel_no=r["parcel"][0], parcel_count=r["parcel"][1], printed_at=printed, reprint=r["reprint"],
            )  # fmt: skip

    done = [0]
    return render_labels(labels(), out, size="76x130", progress=lambda n: done.__setitem__(0, n))


def setup_floor(font_path: str, font_index: int) -> None:
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    rl_config.useA85 = 0  # zlib-only page streams, as fahuo writes them
    pdfmetrics.registerFont(TTFont("Floor", font_path, subfontIndex=font_index))


def run_floor(recs, out) -> int:
    from reportlab.graphics.barcode import code128
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(out, pagesize=(76 * mm, 130 * mm), pageCompression=1, initialFontName="Floor")
    W = 76 * mm
    rules = [120, 105, 95, 68, 44, 31, 11, 4]

    def s(x, y, text, size, bold=False):
        c.setFont("Floor", size)
        if bold:
            c.setLineWidth(size * 0.04)
            c.drawString(x * mm, y * mm, text, mode=2)
        else:
            c.drawString(x * mm, y * mm, text)

    n = 0
    for r in recs:
        c.setLineWidth(0.7)
        c.rect(2 * mm, 2 * mm, W - 4 * mm, 126 * mm)
        for y in rules:
            c.line(2 * mm, y * mm, W - 2 * mm, y * mm)
        s(4, 121, r["carrier_name"], 16, True)
        s(55, 124, "标准快递", 12, True)
        s(60, 121, "寄付月结", 8)
        s(5, 109, r["big_pen"], 30, True)
        s(4, 98, r["sort_code"], 16, True)
        s(48, 102, "集包地", 6)
        s(48, 99, r["hub"][0], 9, True)
        s(48, 96, r["hub"][1], 9)
        code128.Code128(r["waybill"], barWidth=0.375 * mm, barHeight=17 * mm, humanReadable=False).drawOn(
            c, 4 * mm, 76 * mm
        )
        s(12, 71, r["waybill"], 13, True)
        s(4, 61, "收", 18)
        s(12, 62, f"{r['name']}  {r['phone']}", 13, True)
        s(12, 57, r["province"] + r["city"] + r["district"] + " " + r["detail"], 10, True)
        s(4, 39, "寄", 12, True)
        s(11, 40, "  ".join(r["sender"][:2]), 8.5)
        s(11, 36, r["sender"][2], 8)
        for i, item in enumerate(r["items"]):
            s(4, 27 - 4 * i, item, 9)
        if r["message"]:
            s(4, 15, "留言：" + r["message"], 9)
        s(4, 8, f"订单 {r['order_no']}", 7.5)
        s(4, 5, "打印 2026-11-24 14:30", 6)
        s(50, 6, f"第 {r['parcel'][0]}/{r['parcel'][1]} 件", 12, True)
        c.showPage()
        n += 1
    c.save()
    return n


def child(args: argparse.Namespace) -> None:
    """One measured run; prints one JSON line. Imports and font registration happen before it."""
    if args.child == "fahuo":
        from fahuo.fulfilment.fonts import label_font

        label_font()
        import fahuo.fulfilment.labels  # noqa: F401
    else:
        setup_floor(args.font, args.font_index)
        import reportlab.graphics.barcode.code128  # noqa: F401
        import reportlab.pdfgen.canvas  # noqa: F401
    from reportlab.lib import rl_accel

    base = rss_mb()
    recs = records(args.n, args.seed)
    if args.tracemalloc:  # the Python heap that rendering adds (the font's tables are already loaded)
        import tracemalloc

        tracemalloc.start()
    prof = cProfile.Profile() if args.profile else None
    t0, c0 = time.perf_counter(), time.process_time()
    with open(args.out, "wb") as out:
        if prof:
            prof.enable()
        if args.child == "fahuo":
            n = run_fahuo(recs, out)
        else:
            n = run_floor(recs, out)
        if prof:
            prof.disable()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rec = {
        "variant": args.child, "n": n, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
        "labels_per_s": round(n / wall, 1), "ms_per_label": round(wall / n * 1000, 3),
        "base_rss_mb": round(base, 1), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "pdf_bytes": os.path.getsize(args.out), "rl_accel": "fp_str" in rl_accel._c_funcs,
    }  # fmt: skip
    rec["rss_growth_mb"] = round(rec["peak_rss_mb"] - base, 1)
    if args.tracemalloc:
        import tracemalloc

        rec["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    print(json.dumps(rec), flush=True)
    if prof:
        st = pstats.Stats(prof, stream=sys.stderr)
        st.sort_stats("tottime").print_stats(20)
        st.sort_stats("cumulative").print_stats(25)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def spawn(args: argparse.Namespace, variant: str, n: int, tmp: Path, font, *extra: str) -> dict:
    out = tmp / f"{variant}-{n}.pdf"
    cmd = [sys.executable, __file__, "--child", variant, "--n", str(n), "--seed", str(args.seed), "--out", str(out),
           "--font", font[0], "--font-index", str(font[1]), *extra]  # fmt: skip
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if p.returncode:
        sys.exit(f"{variant} child failed:\n{p.stderr}")
    if p.stderr and "--profile" in extra:
        print(p.stderr, file=sys.stderr)
    rec = json.loads(p.stdout.strip().splitlines()[-1])
    return C.emit("labels", "none", **rec)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=5000)
    p.add_argument("--small", type=int, default=500)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--profile", action="store_true", help="cProfile listings of one extra fahuo run")
    p.add_argument("--child", choices=("fahuo", "floor"), help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--font", help=argparse.SUPPRESS)
    p.add_argument("--font-index", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return child(args)

    from fahuo.fulfilment.fonts import label_font

    f = label_font()
    if not f.embedded:
        sys.exit("no TrueType CJK font: the floor needs the same font file (see fahuo.fulfilment.fonts)")
    font = (f.path, f.index)
    print(
        json.dumps(
            {"bench": "labels", "machine": C.machine(), "font": f.path, "n": args.n}, ensure_ascii=False
        )
    )
    tmp = Path(tempfile.mkdtemp(prefix="fahuo-bench-labels-"))
    runs: dict[tuple[str, int], list[dict]] = {}
    for _ in range(args.repeat):
        for v in ("floor", "fahuo"):
            runs.setdefault((v, args.n), []).append(spawn(args, v, args.n, tmp, font))
    for v in ("floor", "fahuo"):
        runs.setdefault((v, args.small), []).append(spawn(args, v, args.small, tmp, font))
    traced = {(v, n): spawn(args, v, n, tmp, font, "--tracemalloc") for v in ("floor", "fahuo")
              for n in (args.small, args.n)}  # fmt: skip
    if args.profile:
        spawn(args, "fahuo", args.n, tmp, font, "--profile")
    for pdf in tmp.iterdir():
        pdf.unlink()
    tmp.rmdir()

    def cpu_ms(rs: list[dict]) -> float:
        return C.median([r["cpu_s"] / r["n"] * 1000 for r in rs])

    floor_rate = C.median([r["labels_per_s"] for r in runs[("floor", args.n)]])
    floor_cpu = cpu_ms(runs[("floor", args.n)])
    rows = []
    for (v, n), rs in sorted(runs.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        rate, cpu = C.median([r["labels_per_s"] for r in rs]), cpu_ms(rs)
        vs = n == args.n
        rows.append([
            v, n, len(rs), rate, round(1000 / rate, 3), round(floor_rate / rate, 2) if vs else "",
            round(cpu, 3), round(cpu / floor_cpu, 2) if vs else "",
            C.median([r["peak_rss_mb"] for r in rs]), C.median([r["rss_growth_mb"] for r in rs]),
            traced[(v, n)]["tracemalloc_peak_mb"], round(rs[0]["pdf_bytes"] / n),
        ])  # fmt: skip
    C.table(
        f"{args.n:,} labels 76×130 → one PDF (medians; rl_accel={runs[('fahuo', args.n)][0]['rl_accel']})",
        ["variant", "labels", "runs", "labels/s", "wall ms/label", "× floor wall", "CPU ms/label", "× floor CPU",
         "peak RSS MB", "RSS growth MB", "tracemalloc peak MB", "PDF bytes/label"],
        rows,
    )  # fmt: skip

if __name__ == "__main__":
    main()

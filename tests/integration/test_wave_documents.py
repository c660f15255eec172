"""A wave's PDFs come from the worker with progress; labels scan; reprints are counted."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fahuo.fulfilment.models import Document, Parcel
from fahuo.fulfilment.services import docs
from fahuo.fulfilment.services.waves import WaveFilter, create_wave
from fahuo.orders.services import decide
from tests import factories as f

pytestmark = pytest.mark.django_db
needs_poppler = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")


def wave_with(n: int):
    f.sku("A", stock=100, barcode="6975541000011")
    orders = [f.order(("A", 1)) for _ in range(n)]
    for o in orders:
        decide.confirm(order_no=o.order_no, by=None)
    return create_wave(by=None, filters=WaveFilter(order_nos=[o.order_no for o in orders])).wave


@needs_poppler
def test_label_pdf_has_one_scannable_label_per_parcel_and_counts_reprints(owner, django_capture_on_commit_callbacks,
                                                                          tmp_path):
    import zxingcpp
    from PIL import Image

    wave = wave_with(3)
    with django_capture_on_commit_callbacks(execute=True):
        doc = docs.request(wave_id=wave.pk, kind="labels", size="76x130", by=owner)
    doc.refresh_from_db()

    assert (doc.state, doc.total, doc.done, doc.percent) == ("done", 3, 3, 100)
    info = subprocess.run(["pdfinfo", doc.path], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+3$", info, re.M)
    subprocess.run(["pdftoppm", "-r", "203", "-png", "-f", "2", "-l", "2", doc.path, str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    found = {b.text for b in zxingcpp.read_barcodes(Image.open(png))}
    assert Parcel.objects.order_by("id")[1].waybill in found
    assert set(Parcel.objects.values_list("label_prints", flat=True)) == {1}

    docs.render(docs.request(wave_id=wave.pk, kind="labels", by=owner).pk)
    assert set(Parcel.objects.values_list("label_prints", flat=True)) == {2}


@needs_poppler
def test_pick_list_and_slips_render(owner):
    wave = wave_with(2)

    pick = docs.render(docs.request(wave_id=wave.pk, kind="picklist", by=owner).pk)
    slips = docs.render(docs.request(wave_id=wave.pk, kind="slips", by=owner).pk)

    assert (pick.state, slips.state) == ("done", "done")
    text = subprocess.run(["pdftotext", pick.path, "-"], capture_output=True, text=True).stdout
    assert wave.no in text and "A" in text
    assert Path(slips.path).read_bytes()[:4] == b"%PDF"
    assert Document.objects.filter(state="done").count() == 2

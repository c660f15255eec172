"""The 发货 pages: home, waves, pick list, scan-to-verify, parcels, handover, batch-ship file."""

from fahuo.fulfilment.views.handover import (
    export,
    export_download,
    handover_close,
    handover_home,
    handover_page,
    handover_print,
    handover_scan,
)
from fahuo.fulfilment.views.scan import scan, scan_code, scan_complete, scan_number, scan_reset, scan_split
from fahuo.fulfilment.views.waves import (
    change_carrier,
    doc,
    doc_download,
    doc_request,
    home,
    parcel,
    parcel_number,
    pick,
    pick_tick,
    ship_parcel,
    ship_wave,
    wave,
    wave_count,
    wave_new,
)

__all__ = [
    "change_carrier", "doc", "doc_download", "doc_request", "export", "export_download", "handover_close",
    "handover_home", "handover_page", "handover_print", "handover_scan", "home", "parcel", "parcel_number", "pick",
    "pick_tick", "scan", "scan_code", "scan_complete", "scan_number", "scan_reset", "scan_split", "ship_parcel",
    "ship_wave", "wave", "wave_count", "wave_new",
]

"""Acting on exceptions (tracking/services/case_actions.py): contacting the carrier and the seller's own
damage / loss report — exact timeline rows, idempotent reports, who may do it, and what the sweep does to them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fahuo.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from fahuo.fulfilment.models import Parcel
from fahuo.orders.models import OrderEvent
from fahuo.tracking.models import ExceptionCase
from fahuo.tracking.services import case_actions, exceptions
from fahuo.tracking.services.sweep import sweep
from tests import factories as f
from tests.exception_seed import REFUSED_NO, seed

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def rows(order_id):
    return list(OrderEvent.objects.filter(order_id=order_id, kind__startswith="exception").order_by("id")
                .values_list("kind", "by__username", "message"))


def test_contacted_records_the_carrier_phone_and_note_on_the_case_and_the_order_timeline(owner):
    s = seed()
    case = s.case("refused")
    case_actions.contacted(case_id=case.pk, note="网点说明天再派一次", by=owner)
    case_actions.contacted(case_id=case.pk, by=owner)
    case.refresh_from_db()
    assert [(n["kind"], n["by"], n["text"], n["carrier"], n["phone"]) for n in case.notes] == [
        ("contacted", "boss", "网点说明天再派一次", "YTO", "95554"), ("contacted", "boss", "", "YTO", "95554")]
    assert rows(s.refused.order_id) == [
        ("exception_opened", None, "收件人拒签"),
        ("exception_contacted", "boss", f"已联系圆通（{REFUSED_NO}）：网点说明天再派一次"),
        ("exception_contacted", "boss", f"已联系圆通（{REFUSED_NO}）"),
    ]
    ev = OrderEvent.objects.filter(kind="exception_contacted").first()
    assert ev.data == {"case_id": case.pk, "carrier": "YTO", "phone": "95554", "waybill": REFUSED_NO,
                       "note": "网点说明天再派一次"}


def test_contacted_refuses_packers_resolved_cases_order_level_cases_and_unknown_ids(owner, packer, cs_user):
    s = seed()
    refused, late = s.case("refused"), s.case("ship_by_passed")
    with pytest.raises(Forbidden) as e:
        case_actions.contacted(case_id=refused.pk, by=packer)
    assert e.value.code == "forbidden" and e.value.message == "打包员无权处理物流异常 (role may not exceptions)"
    with pytest.raises(InvalidInput) as e2:
        case_actions.contacted(case_id=late.pk, by=cs_user)
    assert e2.value.code == "no_parcel"
    exceptions.resolve(case_id=refused.pk, resolution="买家已收到", by=owner)
    with pytest.raises(Conflict) as e3:
        case_actions.contacted(case_id=refused.pk, by=owner)
    assert e3.value.code == "exception_resolved"
    with pytest.raises(NotFound) as e4:
        case_actions.contacted(case_id=999999, by=owner)
    assert e4.value.code == "exception_not_found"
    assert OrderEvent.objects.filter(kind="exception_contacted").count() == 0


def test_report_damage_opens_one_case_and_reporting_again_changes_nothing(cs_user):
    p = f.shipped_parcel(shipped_at=timezone.now() - 30 * H)
    case, opened = case_actions.report(number=p.waybill, kind="damaged", note="买家说外箱压扁了", by=cs_user)
    again, opened2 = case_actions.report(number=f" {p.waybill} ", kind="damaged", note="再登记一次", by=cs_user)
    assert (opened, opened2, again.pk) == (True, False, case.pk)
    case.refresh_from_db()
    assert (case.type, case.severity, case.cause_key, case.title, case.state, case.parcel_id, case.order_id) == (
        "damaged", "urgent", "seller:damaged", "卖家登记：快件破损", "open", p.pk, p.order_id)
    assert case.evidence == {"reported_by": "kefu", "note": "买家说外箱压扁了", "reported_at": case.since.isoformat()}
    assert ExceptionCase.objects.count() == 1
    assert rows(p.order_id) == [("exception_reported", "kefu", "卖家登记：快件破损：买家说外箱压扁了")]
    # a loss is a different case on the same parcel
    lost, opened3 = case_actions.report(number=p.waybill, kind="lost", by=None)
    assert (opened3, lost.type, lost.cause_key, lost.evidence["reported_by"], lost.evidence["note"]) == (
        True, "lost", "seller:lost", "cli", "")
    assert rows(p.order_id)[-1] == ("exception_reported", None, "卖家登记：快件丢失")


def test_a_resolved_report_is_opened_again_by_a_new_report(owner):
    p = f.shipped_parcel()
    case, _ = case_actions.report(number=p.waybill, kind="lost", by=owner)
    exceptions.resolve(case_id=case.pk, resolution="快递找到了", by=owner)
    again, opened = case_actions.report(number=p.waybill, kind="lost", note="又丢了", by=owner)
    assert (opened, again.pk, again.state, again.resolution, again.resolved_at) == (True, case.pk, "open", "", None)
    assert [k for k, _, _ in rows(p.order_id)] == ["exception_reported", "exception_resolved", "exception_reported"]


def test_report_refuses_packers_bad_kinds_unknown_and_unshipped_parcels(owner, packer):
    p = f.shipped_parcel()
    with pytest.raises(Forbidden) as e:
        case_actions.report(number=p.waybill, kind="damaged", by=packer)
    assert e.value.message == "打包员无权登记破损或丢失 (role may not report parcel)"
    with pytest.raises(InvalidInput) as e2:
        case_actions.report(number=p.waybill, kind="stale", by=owner)
    assert e2.value.code == "bad_kind"
    with pytest.raises(NotFound) as e3:
        case_actions.report(number="YT0000000000000", kind="lost", by=owner)
    assert e3.value.code == "parcel_not_found"
    packed = Parcel.objects.create(order=f.order(status="packed"), state="packed", carrier_code="YTO",
                                   waybill="YT1234567890123")
    with pytest.raises(Conflict) as e4:
        case_actions.report(number=packed.waybill, kind="lost", by=owner)
    assert e4.value.code == "parcel_not_shipped"
    assert ExceptionCase.objects.count() == 0 and OrderEvent.objects.filter(kind__startswith="exception").count() == 0


def test_a_seller_report_survives_the_sweep(owner):
    """Needs the sweep owner's change in tracking/services/exceptions.py (seller:* cases are never cause_gone)."""
    p = f.shipped_parcel(shipped_at=timezone.now() - 2 * H)  # no 揽收 yet, but not late: the sweep finds nothing
    case, _ = case_actions.report(number=p.waybill, kind="damaged", by=owner)
    sweep()
    case.refresh_from_db()
    assert (case.state, case.resolution) == ("open", "")


def test_a_seller_report_survives_a_new_tracking_event(owner):
    from fahuo.tracking.events import Event
    from fahuo.tracking.services.ingest import ingest
    from fahuo.tracking.statuses import TrackStatus as S

    p = f.shipped_parcel(shipped_at=timezone.now() - 2 * H)
    case, _ = case_actions.report(number=p.waybill, kind="lost", by=owner)
    ingest([Event(p.waybill, "YTO", timezone.now() - H, S.PICKED_UP, "", "【杭州市】已揽收", "杭州市", "", "test")])
    case.refresh_from_db()
    assert (case.state, case.resolution) == ("open", "")

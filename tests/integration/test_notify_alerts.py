"""Urgent alerts: an exception case of type ship_by_near / ship_by_passed / no_pickup that opens is alerted
once, through the post_save hook on ExceptionCase, queued in the opening transaction and sent after it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fahuo.core import clock
from fahuo.core.errors import InvalidInput
from fahuo.notify import services
from fahuo.notify.models import Notification
from fahuo.tracking.models import ExceptionCase
from fahuo.tracking.services.sweep import sweep
from tests import exception_seed

pytestmark = pytest.mark.django_db


def _local(dt) -> str:
    return clock.local(dt).strftime("%m-%d %H:%M")


def test_urgent_cases_are_alerted_once(django_capture_on_commit_callbacks):
    services.create_channel(name="日志", kind="log")
    services.create_channel(name="只要汇总", kind="log", takes_urgent=False)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        seeded = exception_seed.seed(now=now)
    late, nop = seeded.case("ship_by_passed"), seeded.case("no_pickup")
    rows = {n.dedupe_key: n for n in Notification.objects.all()}
    assert sorted(rows) == sorted([f"urgent:{late.pk}", f"urgent:{nop.pk}"])  # refused is not urgent
    assert {(n.channel.name, n.kind, n.state, n.attempts) for n in rows.values()} == {("日志", "urgent", "sent", 1)}

    n = rows[f"urgent:{nop.pk}"]
    assert n.title == f"【紧急】发货未揽收：订单 {seeded.no_pickup.order.order_no}"
    assert n.text == (f"**发货未揽收** · 订单 {seeded.no_pickup.order.order_no}\n"
                      f"> 已发货 24 小时仍无揽收记录（虚假发货风险）\n"
                      f"- 运单：圆通 {exception_seed.NO_PICKUP_NO}\n"
                      f"- 开始于：{_local(nop.since)}")
    assert n.data == {"case_id": nop.pk, "type": "no_pickup", "order_no": seeded.no_pickup.order.order_no,
                      "severity": "urgent", "since": nop.since.isoformat(), "number": exception_seed.NO_PICKUP_NO}

    n = rows[f"urgent:{late.pk}"]
    assert n.title == f"【紧急】超时未发货：订单 {seeded.late.order_no}"
    assert n.text == (f"**超时未发货** · 订单 {seeded.late.order_no}\n> {late.title}\n"
                      f"- 已超过最晚发货时间，请尽快发货\n"
                      f"- 最晚发货：{_local(seeded.late.ship_by)}\n"
                      f"- 开始于：{_local(late.since)}\n"
                      f"- 预计延迟发货赔付：¥{late.estimated_compensation:.2f}（估算）")

    # the sweep again, newer evidence, an assignment, a note: no second alert
    with django_capture_on_commit_callbacks(execute=True):
        sweep(now=now)
        case = ExceptionCase.objects.get(pk=late.pk)
        case.notes = [{"text": "催仓库"}]
        case.save(update_fields=["notes"])
        case.save()
    assert Notification.objects.count() == 2


def test_no_channel_no_rows_and_a_failed_send_does_not_undo_the_case(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        exception_seed.seed()
    assert Notification.objects.count() == 0
    assert ExceptionCase.objects.filter(state="open").count() == 3

    services.create_channel(name="坏", kind="webhook_json", url="http://127.0.0.1:9/nothing-listens")
    from tests import factories as f

    with django_capture_on_commit_callbacks(execute=True):
        o = f.order(status="ready", paid_minutes_ago=5 * 24 * 60)
        from fahuo.tracking.services.exceptions import check_order

        assert check_order(o) == (1, 0)
    case = ExceptionCase.objects.get(order=o)
    n = Notification.objects.get()
    assert (n.dedupe_key, n.state, n.attempts) == (f"urgent:{case.pk}", "queued", 1)
    assert n.last_error.startswith("无法连接 webhook")


def test_alerts_go_out_in_the_language_the_owner_chose(django_capture_on_commit_callbacks):
    services.create_channel(name="log", kind="log")
    services.set_digest(hour=9, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        seeded = exception_seed.seed(now=timezone.now())
    nop = seeded.case("no_pickup")

    n = Notification.objects.get(dedupe_key=f"urgent:{nop.pk}")
    assert n.title == f"[Urgent] No pickup scan: order {seeded.no_pickup.order.order_no}"
    assert n.text.splitlines()[2] == f"- Waybill: YTO Express {exception_seed.NO_PICKUP_NO}"
    with pytest.raises(InvalidInput) as refused:
        services.set_digest(hour=9, language="fr")
    assert refused.value.code == "invalid_language"

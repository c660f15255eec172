"""The notification outbox: one row per channel and cause (never queued twice), delivery after the commit,
one sender per row even with two workers, retries with exponential backoff, failure after six tries.
Webhooks go to a local HTTP server (tests/notify_hooks.py); e-mail to Django's locmem backend."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from fahuo.notify import services
from fahuo.notify.models import Channel, Notification
from tests.concurrency import at_once
from tests.notify_hooks import hook_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def log_channel(name="日志", **kw) -> Channel:
    return services.create_channel(name=name, kind="log", **kw)


def test_enqueue_makes_one_row_per_enabled_channel_that_takes_the_kind_and_never_twice():
    a = log_channel("A")
    b = log_channel("B", takes_digest=False)
    log_channel("C", enabled=False)
    rows = services.enqueue("digest", "digest:2026-11-24", "日报", "text", {"n": 1})
    assert [(n.channel.name, n.state, n.attempts) for n in rows] == [("A", "queued", 0)]
    assert services.enqueue("digest", "digest:2026-11-24", "日报", "text") == []
    assert Notification.objects.count() == 1
    urgent = services.enqueue("urgent", "urgent:5", "紧急", "x")
    assert sorted(n.channel_id for n in urgent) == [a.pk, b.pk]
    assert services.enqueue("urgent", "urgent:5", "紧急", "x") == []
    assert Notification.objects.count() == 3


def test_delivery_waits_for_the_commit_and_a_rollback_leaves_nothing(django_capture_on_commit_callbacks, caplog):
    log_channel()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            services.enqueue("urgent", "urgent:1", "紧急：订单 T1", "**超时**")
    assert len(callbacks) == 1
    assert Notification.objects.get().state == "queued"  # nothing was sent inside the transaction

    with caplog.at_level(logging.INFO, logger="fahuo.notify"):
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                services.enqueue("urgent", "urgent:2", "紧急：订单 T2", "**超时**")
    n = Notification.objects.get(dedupe_key="urgent:2")
    assert (n.state, n.attempts, n.last_error) == ("sent", 1, "")
    assert n.delivered == {"logged": "[日志] urgent 紧急：订单 T2\n**超时**"}
    assert "[日志] urgent 紧急：订单 T2\n**超时**" in caplog.messages

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.enqueue("urgent", "urgent:3", "x", "y")
        raise Boom
    assert not Notification.objects.filter(dedupe_key="urgent:3").exists()


def test_wecom_robot_receives_the_exact_markdown_body(hook_server):  # noqa: F811
    ch = services.create_channel(name="企业微信", kind="webhook_wecom",
                                 url=f"{hook_server.url}/cgi-bin/webhook/send?key=k1")
    [n] = services.enqueue("urgent", "urgent:9", "【紧急】超时未发货：订单 T9", "**超时未发货** · 订单 T9")
    done = services.deliver(n.pk)
    assert done.state == "sent" and done.attempts == 1
    [req] = hook_server.received
    assert req.path == "/cgi-bin/webhook/send?key=k1"
    assert req.headers["Content-Type"] == "application/json; charset=utf-8"
    assert req.json == {"msgtype": "markdown",
                        "markdown": {"content": "## 【紧急】超时未发货：订单 T9\n**超时未发货** · 订单 T9"}}
    row = Notification.objects.get(pk=n.pk)
    assert (row.state, row.sent_at is not None, row.channel_id) == ("sent", True, ch.pk)
    assert row.delivered["answer"] == '{"errcode":0,"errmsg":"ok"}'
    assert services.deliver(n.pk) is None  # sent rows are never claimed again
    assert len(hook_server.received) == 1


def test_dingtalk_robot_gets_a_signed_url(hook_server):  # noqa: F811
    import urllib.parse

    from fahuo.notify import formats

    services.create_channel(name="钉钉", kind="webhook_dingtalk", url=f"{hook_server.url}/robot/send?access_token=t",
                            secret="SECabc")
    [n] = services.enqueue("digest", "digest:2026-11-24", "发货日报 2026-11-24", "**今日须发货**：3 单")
    assert services.deliver(n.pk).state == "sent"
    [req] = hook_server.received
    parts = urllib.parse.urlsplit(req.path)
    q = urllib.parse.parse_qs(parts.query)
    assert parts.path == "/robot/send" and q["access_token"] == ["t"]
    assert q["sign"] == [formats.dingtalk_sign("SECabc", int(q["timestamp"][0]))]
    assert req.json == {"msgtype": "markdown", "markdown": {"title": "发货日报 2026-11-24",
                                                            "text": "## 发货日报 2026-11-24\n**今日须发货**：3 单"}}


def test_plain_json_is_signed_with_hmac(hook_server):  # noqa: F811
    import hashlib
    import hmac

    services.create_channel(name="ERP", kind="webhook_json", url=f"{hook_server.url}/hook", secret="k")
    hook_server.default = (204, b"")
    [n] = services.enqueue("urgent", "urgent:4", "紧急", "t", {"order_no": "T4"})
    assert services.deliver(n.pk).state == "sent"
    [req] = hook_server.received
    assert req.json == {"kind": "urgent", "title": "紧急", "text": "t", "data": {"order_no": "T4"}, "id": n.pk}
    assert req.headers["X-Fahuo-Signature"] == "sha256=" + hmac.new(b"k", req.body, hashlib.sha256).hexdigest()


def test_failures_back_off_exponentially_then_fail_after_six_tries(hook_server):  # noqa: F811
    services.create_channel(name="坏机器人", kind="webhook_wecom", url=f"{hook_server.url}/send?key=bad")
    hook_server.default = (200, b'{"errcode":93000,"errmsg":"invalid webhook url"}')
    [n] = services.enqueue("urgent", "urgent:1", "紧急", "x")
    t0 = timezone.now()
    now = t0
    waits = []
    for attempt in range(1, 7):
        assert services.deliver(n.pk, now=now - timedelta(seconds=1)) is None  # not due yet (first: created at t0)
        row = services.deliver(n.pk, now=now)
        assert (row.attempts, row.last_error) == (attempt, "errcode 93000: invalid webhook url")
        if attempt < 6:
            assert row.state == "queued"
            waits.append(int((row.next_try_at - now).total_seconds()))
            now = row.next_try_at
    assert waits == [60, 120, 240, 480, 960]
    row = Notification.objects.get(pk=n.pk)
    assert (row.state, row.attempts, row.next_try_at) == ("failed", 6, None)
    assert row.last_error == "errcode 93000: invalid webhook url"
    assert len(hook_server.received) == 6
    assert services.deliver(n.pk, now=now + timedelta(days=1)) is None


def test_a_server_error_then_success(hook_server):  # noqa: F811
    services.create_channel(name="JSON", kind="webhook_json", url=f"{hook_server.url}/h")
    hook_server.answers = [(500, b"boom")]
    hook_server.default = (200, b"ok")
    [n] = services.enqueue("digest", "digest:d", "日报", "x")
    first = services.deliver(n.pk)
    assert (first.state, first.attempts, first.last_error) == ("queued", 1, "HTTP 500: boom")
    later = first.next_try_at
    counts = services.retry_due(now=later)
    assert counts == {"due": 1, "sent": 1, "failed": 0, "stuck": 0}
    row = Notification.objects.get(pk=n.pk)
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, "")
    assert len(hook_server.received) == 2


def test_an_unreachable_webhook_is_retried_later():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    services.create_channel(name="关机", kind="webhook_json", url=f"http://127.0.0.1:{port}/h")
    [n] = services.enqueue("urgent", "urgent:x", "紧急", "x")
    row = services.deliver(n.pk)
    assert row.state == "queued" and row.attempts == 1
    assert row.last_error.startswith("无法连接 webhook：")
    assert row.last_error.endswith("(cannot reach the webhook)")


def test_retry_due_sends_rows_whose_job_was_lost_and_fails_rows_stuck_in_sending():
    log_channel()
    [lost] = services.enqueue("urgent", "urgent:lost", "紧急", "x")  # on_commit never ran: the job was lost
    [stuck] = services.enqueue("urgent", "urgent:stuck", "紧急", "y")
    now = timezone.now()
    Notification.objects.filter(pk=stuck.pk).update(state="sending", attempts=1, claimed_at=now - timedelta(minutes=11))
    assert services.retry_due(now=now) == {"due": 1, "sent": 1, "failed": 0, "stuck": 1}
    assert Notification.objects.get(pk=lost.pk).state == "sent"
    s = Notification.objects.get(pk=stuck.pk)
    assert (s.state, s.last_error) == ("failed", services.INTERRUPTED)
    assert services.retry_due(now=now) == {"due": 0, "sent": 0, "failed": 0, "stuck": 0}


def test_email_channel_uses_django_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "shop@example.com"
    services.create_channel(name="邮件", kind="email", email_to="a@example.com; b@example.com")
    [n] = services.enqueue("digest", "digest:1", "发货日报 2026-11-24", "**今日须发货**：3 单")
    assert services.deliver(n.pk).state == "sent"
    [m] = mail.outbox
    assert (m.subject, m.body, m.to, m.from_email) == ("发货日报 2026-11-24", "**今日须发货**：3 单",
                                                       ["a@example.com", "b@example.com"], "shop@example.com")


def test_test_send_answers_now_and_is_not_retried(hook_server):  # noqa: F811
    ok = log_channel("日志", enabled=False)  # a disabled channel can still be tested
    n = services.test_send(ok.pk)
    assert (n.state, n.kind, n.title) == ("sent", "test", "fahuo 测试通知")
    assert n.text == "这是一条测试通知，来自 CLI。收到说明通道「日志」可以正常使用。"
    bad = services.create_channel(name="坏", kind="webhook_wecom", url=f"{hook_server.url}/s")
    hook_server.default = (200, b'{"errcode":93000,"errmsg":"invalid webhook url"}')
    n = services.test_send("坏")
    assert (n.state, n.attempts, n.next_try_at, n.last_error) == (
        "failed", 1, None, "errcode 93000: invalid webhook url")
    assert Notification.objects.get(pk=n.pk).state == "failed"
    assert bad.pk


def test_channel_validation():
    from fahuo.core.errors import InvalidInput, NotFound

    with pytest.raises(InvalidInput) as e:
        services.create_channel(name="x", kind="webhook_wecom", url="qyapi.weixin.qq.com/x")
    assert e.value.code == "invalid_url"
    with pytest.raises(InvalidInput) as e:
        services.create_channel(name="m", kind="email", email_to="nobody")
    assert e.value.code == "invalid_recipients"
    with pytest.raises(InvalidInput) as e:
        services.create_channel(name=" ", kind="log")
    assert e.value.code == "name_required"
    log_channel("同名")
    with pytest.raises(InvalidInput) as e:
        log_channel("同名")
    assert e.value.code == "duplicate_name"
    ch = services.update_channel(Channel.objects.get(name="同名").pk, enabled=False, takes_buyer_message=True)
    assert (ch.enabled, ch.takes_buyer_message, ch.kind) == (False, True, "log")
    with pytest.raises(NotFound):
        services.update_channel(999999, enabled=False)


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_row(hook_server):  # noqa: F811
    services.create_channel(name="企业微信", kind="webhook_wecom", url=f"{hook_server.url}/send?key=k")
    hook_server.delay = 0.3  # the first sender is still talking to the robot when the second tries
    ch = Channel.objects.get()
    now = timezone.now()  # rows as enqueue leaves them (here without its after-commit job, which would send them)
    ids = [Notification.objects.create(channel=ch, kind=k, dedupe_key=f"{k}:race", title="t", text="x",
                                       next_try_at=now).pk for k in ("urgent", "digest")]

    def deliver(nid: int) -> str:
        n = services.deliver(nid)
        return "sent" if n is not None and n.state == "sent" else "skipped"

    results = at_once([lambda nid=nid: deliver(nid) for nid in ids for _ in range(2)], timeout=30)
    assert sorted(results) == ["sent", "sent", "skipped", "skipped"]
    assert len(hook_server.received) == 2
    assert sorted(Notification.objects.values_list("state", "attempts")) == [("sent", 1), ("sent", 1)]

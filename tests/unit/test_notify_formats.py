"""Webhook bodies of the notifiers: WeCom and DingTalk robot markdown, DingTalk 加签, plain JSON with HMAC,
and how the robots' answers are read. Pure: no Django."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse

import pytest

from fahuo.notify import formats as f


def test_wecom_markdown_body():
    assert f.wecom("发货日报", "**今日须发货**：3 单") == {
        "msgtype": "markdown", "markdown": {"content": "## 发货日报\n**今日须发货**：3 单"}}


def test_wecom_content_is_cut_to_4096_bytes_of_utf8():
    body = f.wecom("标题", "发" * 3000)
    content = body["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    assert content.endswith("…")
    assert content.startswith("## 标题\n发发")
    # 4096 - 3 bytes for "…" = 4093; "## 标题\n" is 10 bytes, each 发 3: 1361 whole characters fit
    assert content == "## 标题\n" + "发" * 1361 + "…"


def test_dingtalk_markdown_body():
    assert f.dingtalk("【紧急】超时未发货：订单 T1", "**超时未发货** · 订单 T1") == {
        "msgtype": "markdown",
        "markdown": {"title": "【紧急】超时未发货：订单 T1",
                     "text": "## 【紧急】超时未发货：订单 T1\n**超时未发货** · 订单 T1"}}


def test_dingtalk_sign_is_base64_hmac_sha256_of_timestamp_newline_secret():
    secret, ts = "SEC0123456789abcdef", 1700000000000
    expected = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()).decode()
    assert f.dingtalk_sign(secret, ts) == expected
    assert f.dingtalk_sign("SECtest", ts) == "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g="


def test_dingtalk_signed_url_appends_timestamp_and_urlencoded_sign():
    url = f.dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", "SECtest", 1700000000000)
    assert url == ("https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000"
                   "&sign=aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g%3D")
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert q["sign"] == ["aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g="]
    assert f.dingtalk_signed_url("http://127.0.0.1:9/robot", "s", 5) == \
        f"http://127.0.0.1:9/robot?timestamp=5&sign={urllib.parse.quote_plus(f.dingtalk_sign('s', 5))}"


def test_plain_json_and_its_signature_header():
    url, body, headers = f.request_for("webhook_json", url="http://127.0.0.1:9/hook", secret="k", kind="urgent",
                                       title="T", text="x", data={"order_no": "T1"}, id=7, timestamp_ms=0)
    assert url == "http://127.0.0.1:9/hook"
    assert json.loads(body) == {"kind": "urgent", "title": "T", "text": "x", "data": {"order_no": "T1"}, "id": 7}
    assert body == b'{"kind":"urgent","title":"T","text":"x","data":{"order_no":"T1"},"id":7}'
    assert headers == {"Content-Type": "application/json; charset=utf-8",
                       "X-Fahuo-Signature": "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()}
    _, _, no_secret = f.request_for("webhook_json", url="https://x.example/h", secret="", kind="digest", title="T",
                                    text="", data={}, id=None, timestamp_ms=0)
    assert "X-Fahuo-Signature" not in no_secret


def test_dingtalk_request_without_secret_keeps_the_url():
    url, body, _ = f.request_for("webhook_dingtalk", url="https://oapi.dingtalk.com/robot/send?access_token=a",
                                 secret="", kind="digest", title="日报", text="x", data={}, id=1, timestamp_ms=9)
    assert url == "https://oapi.dingtalk.com/robot/send?access_token=a"
    assert json.loads(body) == {"msgtype": "markdown", "markdown": {"title": "日报", "text": "## 日报\nx"}}


@pytest.mark.parametrize("url", ["", "ftp://x/y", "qyapi.weixin.qq.com/cgi-bin/webhook/send", "http://"])
def test_bad_urls_are_refused(url):
    with pytest.raises(f.FormatError):
        f.check_url(url)


def test_email_is_not_a_webhook():
    with pytest.raises(f.FormatError):
        f.request_for("email", url="https://x.example", secret="", kind="digest", title="t", text="", data={},
                      id=None, timestamp_ms=0)


@pytest.mark.parametrize(("kind", "status", "body", "error"), [
    ("webhook_wecom", 200, b'{"errcode":0,"errmsg":"ok"}', None),
    ("webhook_wecom", 200, b'{"errcode":93000,"errmsg":"invalid webhook url"}', "errcode 93000: invalid webhook url"),
    ("webhook_dingtalk", 200, b'{"errcode":310000,"errmsg":"sign not match"}', "errcode 310000: sign not match"),
    ("webhook_dingtalk", 200, b"<html>", "robot answer is not JSON: <html>"),
    ("webhook_dingtalk", 502, b"bad gateway", "HTTP 502: bad gateway"),
    ("webhook_json", 204, b"", None),
    ("webhook_json", 500, b"boom", "HTTP 500: boom"),
])
def test_robot_answers(kind, status, body, error):
    assert f.robot_answer_error(kind, status, body) == error


def test_backoff_doubles_from_a_minute_up_to_an_hour():
    assert [f.backoff_seconds(a) for a in range(0, 9)] == [0, 60, 120, 240, 480, 960, 1920, 3600, 3600]

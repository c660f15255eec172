"""The thin transport to 快递100: POST the mapper's form fields, return the answer's text. No parsing here.

Confirmed [DOC, https://api.kuaidi100.com/document/dianzimiandanV2]: HTTP POST to the label/order URL with
Content-Type application/x-www-form-urlencoded; the answer is JSON. 快递100's demos (python-demo, go-demo,
php-demo) send the same five fields form-encoded as UTF-8. Unconfirmed: whether 快递100 ever answers a refusal
with a non-2xx HTTP status (fahuo treats any non-2xx as `carrier_http_error`, keeping the status only).

Errors never carry the form: it holds the key and the receiver's address.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

from fahuo.carriers.adapters.base import AdapterError

USER_AGENT = "fahuo (kuaidi100 adapter)"


def encode_form(form: Mapping[str, str]) -> bytes:
    return urllib.parse.urlencode(dict(form), encoding="utf-8").encode("ascii")


def build_http_request(url: str, form: Mapping[str, str]) -> urllib.request.Request:
    return urllib.request.Request(
        url,
        data=encode_form(form),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        },
    )


def send(url: str, form: Mapping[str, str], *, timeout: float) -> str:
    """POST `form` to `url`; the answer as text, or AdapterError `unreachable` / `carrier_http_error`."""
    request = build_http_request(url, form)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            charset = response.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as e:
        raise AdapterError(f"快递100 返回 HTTP {e.code} (kuaidi100 answered HTTP {e.code})", code="carrier_http_error")
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise AdapterError(f"连不上快递100：{reason} (kuaidi100 unreachable: {reason})", code="unreachable")
    return raw.decode(charset, errors="replace")

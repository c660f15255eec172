"""A tiny local HTTP server that plays a webhook receiver (a WeCom/DingTalk robot or a JSON endpoint) for the
notify tests: it records every request and answers from a script, so no test touches the network."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

OK = (200, b'{"errcode":0,"errmsg":"ok"}')


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body.decode("utf-8"))


@dataclass
class HookServer:
    answers: list[tuple[int, bytes]] = field(default_factory=list)  # one per request; then `default`
    default: tuple[int, bytes] = OK
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> HookServer:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with hook.lock:
                    hook.received.append(Received(self.path, dict(self.headers.items()), body))
                    status, answer = hook.answers.pop(0) if hook.answers else hook.default
                if hook.delay:
                    time.sleep(hook.delay)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def hook_server():
    """A started HookServer, stopped after the test. Import it into a test module to use it."""
    server = HookServer().start()
    yield server
    server.stop()

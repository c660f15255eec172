"""Run calls at the same instant in threads (a barrier), as two phones, a script and the worker would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def at_once(calls: list[Callable[[], Any]], *, timeout: float = 60) -> list[Any]:
    """Start every call together; return their results in the order they finished (an exception as its repr).
    Each thread closes its own database connections."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            out = call()
        except Exception as e:  # noqa: BLE001 - a failure is a result the test asserts on
            out = repr(e)
        finally:
            connections.close_all()
        with lock:
            results.append(out)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=timeout)
    return results

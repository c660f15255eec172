"""Stand-ins shared by tests that must never reach the network."""

from __future__ import annotations


class FakeSend:
    """A form-POST transport (`send(url, form, *, timeout) -> str`) answering `answer`; records every call as
    (url, form as a dict, timeout)."""

    def __init__(self, answer: str) -> None:
        self.answer, self.calls = answer, []

    def __call__(self, url, form, *, timeout):
        self.calls.append((url, dict(form), timeout))
        return self.answer

"""Errors with stable codes. Services raise these; the API, the views and the CLI turn them into
a 4xx answer, a message or an exit status in one place each (api.py, core/views_errors, cli.py)."""

from __future__ import annotations

from typing import Any


class FahuoError(Exception):
    code = "error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.data = data

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **({"data": self.data} if self.data else {})}


class NotFound(FahuoError):
    code = "not_found"
    http_status = 404


class InvalidInput(FahuoError):
    code = "invalid_input"
    http_status = 400


class InvalidTransition(FahuoError):
    """An order cannot go from its status to the one asked (e.g. confirm a closed order)."""

    code = "invalid_transition"
    http_status = 409


class Conflict(FahuoError):
    code = "conflict"
    http_status = 409


class Forbidden(FahuoError):
    code = "forbidden"
    http_status = 403

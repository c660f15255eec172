"""Pieces every router shares: the error body, bounded strings and numbers.

Bounds live in the schema so the OpenAPI says what is accepted and bad input is a 422, never a database
error: strings carry their column's length and may not hold NUL (PostgreSQL refuses it), integers stay
inside a 32-bit column.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints

NO_NUL = r"^[^\x00]*$"
MAX_INT = 1_000_000  # quantities and counts; far below the 32-bit columns they land in
MAX_ID = 2**53  # database ids as JSON can carry them


def text(max_length: int, *, min_length: int = 0) -> Any:
    """A string type bounded to its column, NUL refused."""
    return Annotated[str, StringConstraints(max_length=max_length, min_length=min_length, pattern=NO_NUL)]


def _sane_time(v: datetime | None) -> datetime | None:
    """Naive times are Asia/Shanghai; years outside 2000–2100 are refused (they overflow on conversion)."""
    if v is None:
        return v
    if not 2000 <= v.year <= 2100:
        raise ValueError("时间应在 2000–2100 年之间 (time out of range)")
    if timezone.is_naive(v):
        v = timezone.make_aware(v)
    return v


Time = Annotated[datetime, AfterValidator(_sane_time)]
Qty = Annotated[int, Field(ge=1, le=MAX_INT)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Error(Schema):
    code: str = Field(description="stable machine-readable code, e.g. forbidden, order_not_found")
    message: str = Field(description="human words, Chinese first, English in brackets")
    data: dict[str, Any] | None = None


READ_ERRORS = frozenset({400, 401, 404, 422})  # 400: a body that is not JSON
WRITE_ERRORS = frozenset({400, 401, 403, 404, 409, 422})

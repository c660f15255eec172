"""The adapter interface. An adapter is a pure mapper (build the carrier's request, parse its answer) plus a
thin transport; fahuo's services only see WaybillRequest → WaybillResult. Pure Python: no Django."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class WaybillRequest:
    carrier_code: str
    order_nos: tuple[str, ...]
    receiver_name: str
    receiver_phone: str
    province: str
    city: str
    district: str
    detail: str
    sender_name: str = ""
    sender_phone: str = ""
    sender_address: str = ""
    account_no: str = ""
    weight_g: int = 0
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class WaybillResult:
    number: str
    routing: dict[str, str] = field(default_factory=dict)  # big_pen, sort_code, hub_name, hub_code


class AdapterError(Exception):
    """The carrier refused or could not be reached; `code` is stable, the message names why."""

    def __init__(self, message: str, code: str = "carrier_error") -> None:
        super().__init__(message)
        self.code = code


class Adapter(Protocol):
    name: str

    def issue(self, req: WaybillRequest, *, serial: Callable[[], int]) -> WaybillResult: ...


REGISTRY: dict[str, Adapter] = {}


def register(adapter: Adapter) -> Adapter:
    REGISTRY[adapter.name] = adapter
    return adapter


def get_adapter(name: str) -> Adapter:
    if name not in REGISTRY:
        import importlib

        for mod in ("sandbox", "kuaidi100"):  # the built-ins register themselves on import
            try:
                importlib.import_module(f"fahuo.carriers.adapters.{mod}")
            except ImportError:
                pass
    try:
        return REGISTRY[name]
    except KeyError:
        raise AdapterError(f"没有名为 {name} 的快递接口 (no carrier adapter named {name})", code="no_adapter")

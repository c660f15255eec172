"""Carrier adapters: plug-ins that issue waybill numbers (and later, tracking). Registered by name."""

from fahuo.carriers.adapters.base import (
    REGISTRY,
    Adapter,
    WaybillRequest,
    WaybillResult,
    get_adapter,
    register,
)

__all__ = ["REGISTRY", "Adapter", "WaybillRequest", "WaybillResult", "get_adapter", "register"]

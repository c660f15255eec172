"""fahuo 发货 — a self-hosted, phone-first fulfilment desk for small online shops."""

__version__ = "0.1.0"

from __future__ import annotations

from django.http import HttpRequest


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page (not a boosted link, not a history restore)."""
    h = getattr(request, "htmx", None)
    return bool(h) and not h.boosted and not h.history_restore_request

from __future__ import annotations


def fahuo_context(request):
    user = getattr(request, "user", None)
    return {"role": getattr(user, "role", None), "sees_pii": bool(getattr(user, "sees_pii", False))}

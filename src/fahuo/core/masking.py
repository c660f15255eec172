"""What a role may see of a buyer. Packers get masked names and phones everywhere."""

from __future__ import annotations

from fahuo.imports.phones import mask_name, mask_phone


def receiver_for(user, *, name: str, phone: str, detail: str) -> dict[str, str]:
    if user is None or getattr(user, "sees_pii", False):
        return {"name": name, "phone": phone, "detail": detail}
    return {"name": mask_name(name), "phone": mask_phone(phone), "detail": detail}

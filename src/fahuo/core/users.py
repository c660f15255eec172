from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from fahuo.core.errors import InvalidInput
from fahuo.core.models import Role


@transaction.atomic
def add_user(*, username: str, role: str, password: str) -> object:
    User = get_user_model()
    if role not in Role.values:
        raise InvalidInput(f"角色“{role}”无效，可选 owner / packer / cs (unknown role)", code="bad_role")
    if not username.strip():
        raise InvalidInput("用户名不能为空 (username required)", code="bad_username")
    if User.objects.filter(username=username).exists():
        raise InvalidInput(f"用户 {username} 已存在 (user exists)", code="user_exists")
    try:
        validate_password(password)
    except ValidationError as e:
        raise InvalidInput("密码太弱：" + " ".join(e.messages) + " (password too weak)", code="weak_password")
    return User.objects.create_user(username=username, password=password, role=role,
                                    is_staff=role == Role.OWNER)

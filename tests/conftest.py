from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


@pytest.fixture
def owner(db):
    from fahuo.core.models import User

    return User.objects.create_user(username="boss", password="pass-word-1", role="owner", is_staff=True)


@pytest.fixture
def packer(db):
    from fahuo.core.models import User

    return User.objects.create_user(username="packer", password="pass-word-1", role="packer")


@pytest.fixture
def cs_user(db):
    from fahuo.core.models import User

    return User.objects.create_user(username="kefu", password="pass-word-1", role="cs")

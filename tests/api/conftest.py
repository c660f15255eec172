"""An API client per role, authenticated with a bearer token (the way scripts call fahuo)."""

from __future__ import annotations

import json

import pytest


class Api:
    """Thin wrapper over Django's test client: JSON in, response out, `Authorization: Bearer …` on every call."""

    def __init__(self, client, key: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def get(self, path: str, **params):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body=None):
        return self.client.post(path, json.dumps(body if body is not None else {}), content_type="application/json",
                                headers=self.headers)

    def patch(self, path: str, body):
        return self.client.patch(path, json.dumps(body), content_type="application/json", headers=self.headers)

    def delete(self, path: str):
        return self.client.delete(path, headers=self.headers)

    def upload(self, path: str, **files):
        return self.client.post(path, files, headers=self.headers)


def _api_for(user) -> Api:
    from django.test import Client

    from fahuo.core.tokens import create_token

    _, key = create_token(user=user, name="test")
    return Api(Client(), key)


@pytest.fixture
def api(owner) -> Api:
    return _api_for(owner)


@pytest.fixture
def packer_api(packer) -> Api:
    return _api_for(packer)


@pytest.fixture
def cs_api(cs_user) -> Api:
    return _api_for(cs_user)


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "fuzz: schemathesis against /api/openapi.json (run alone: pytest -m fuzz)")

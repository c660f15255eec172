"""The OpenAPI document names each schema once: two request or response classes with the same name in two
routers would share one entry in `components/schemas`, and one endpoint would be documented with the other's
shape (this happened with two `SettingsOut`)."""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict

from ninja import Schema

import fahuo


def _api_modules():
    for info in pkgutil.walk_packages(fahuo.__path__, "fahuo."):
        leaf = info.name.rsplit(".", 1)[-1]
        if leaf == "api" or leaf.startswith("api_") or leaf == "schemas":
            yield importlib.import_module(info.name)


def test_no_two_api_schemas_share_a_name():
    where = defaultdict(set)
    for mod in _api_modules():
        for obj in vars(mod).values():
            if isinstance(obj, type) and issubclass(obj, Schema) and obj is not Schema and obj.__module__ == mod.__name__:
                where[obj.__name__].add(mod.__name__)
    assert {name: sorted(mods) for name, mods in where.items() if len(mods) > 1} == {}


def test_settings_endpoints_document_their_own_shapes(client):
    doc = client.get("/api/openapi.json").json()

    def response_ref(path, method):
        return doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]

    shop, notify = response_ref("/api/settings", "get"), response_ref("/api/notify/settings", "put")
    assert shop != notify
    assert "no_pickup_hours" in doc["components"]["schemas"][shop.rsplit("/", 1)[-1]]["properties"]
    assert "digest_hour" in doc["components"]["schemas"][notify.rsplit("/", 1)[-1]]["properties"]

"""Schemathesis against /api/openapi.json, in-process through the WSGI app, as the owner with a bearer token.

Every operation gets a handful of generated requests, valid and invalid, first with random path values (mostly
404s) and then against a seeded order, SKU, wave with its parcel and rendered labels, handover, batch-ship file,
carrier and province so bodies reach the services. What must hold: no 5xx, every
status code and body is one the OpenAPI declares. Run alone with `pytest -m fuzz`.
"""

from __future__ import annotations

import logging
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fahuo.core.models import ApiToken
from fahuo.core.tokens import create_token
from tests import factories as f

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("FAHUO_FUZZ_EXAMPLES", "10"))  # per operation and mode; raise it for a deeper run


def _run(op, mode, token, path_parameters, examples: int) -> None:
    tok, key = token
    strategy = op.as_strategy(generation_mode=mode, headers={"Authorization": f"Bearer {key}"},
                              path_parameters=path_parameters or None)

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=True)
    @given(case=strategy)
    def check(case):
        ApiToken.objects.filter(pk=tok.pk).update(revoked_at=None)  # DELETE /api/tokens/{id} may have hit it
        case.call_and_validate(checks=CHECKS)

    try:
        check()
    except Unsatisfiable:  # nothing to make invalid: no parameters and no body
        assert mode == schemathesis.GenerationMode.NEGATIVE, op.label


@pytest.fixture
def keep_test_connection():
    """Called straight through WSGI, Django would close the test's connection after each request (the test client
    avoids that the same way)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    log = logging.getLogger("django.request")  # thousands of expected 4xx warnings
    level = log.level
    log.setLevel(logging.ERROR)
    yield
    log.setLevel(level)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_api_answers_fuzzed_requests_with_declared_4xx_never_5xx(owner, keep_test_connection):
    from fahuo.wsgi import application

    f.sku("TEA-1", stock=5)
    f.order(("TEA-1", 2), order_no="FZ1")
    f.order(("TEA-1", 1), order_no="FZ2")
    seeded_values = {"order_no": "FZ1", "code": "TEA-1", "carrier": "DEMO", "province": "浙江省", **_shipping_seed()}
    token = create_token(user=owner, name="fuzz")
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

    ops = [r.ok() for r in schema.get_all_operations()]
    assert len(ops) == 86
    for op in ops:
        names = {p.name for p in op.path_parameters}
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            _run(op, mode, token, {}, examples=EXAMPLES)
            seeded = {k: v for k, v in seeded_values.items() if k in names}
            if seeded:
                _run(op, mode, token, seeded, examples=EXAMPLES)


def _shipping_seed() -> dict[str, int | str]:
    """A wave with one parcel (a confirmed order), its rendered labels, a handover and a batch-ship file."""
    from fahuo.fulfilment.services import docs, shipping
    from fahuo.fulfilment.services.waves import WaveFilter, create_wave
    from fahuo.orders.services.decide import confirm

    f.order(("TEA-1", 1), order_no="FZ3")
    confirm(order_no="FZ3", by=None)
    wave = create_wave(by=None, filters=WaveFilter(order_nos=["FZ3"])).wave
    doc = docs.render(docs.request(wave_id=wave.pk, kind="labels", by=None).pk)
    from django.utils import timezone

    from fahuo.tracking.models import ExceptionCase

    parcel = wave.parcels.get()
    case = ExceptionCase.objects.create(order=parcel.order, parcel=parcel, type="no_pickup", severity="urgent",
                                        cause_key="fuzz", since=timezone.now())
    from fahuo.notify.models import Channel

    # a shipped parcel with a trace, so the tracking pages and the damage report reach their success paths
    shipped = f.shipped_parcel(number="YT8962646785389", carrier="YTO")
    from fahuo.tracking.events import Event
    from fahuo.tracking.services.ingest import ingest

    ingest([Event(shipped.waybill, "YTO", timezone.now(), "picked_up", "", "【杭州市】已揽收", "杭州市", "", "fuzz")])
    channel = Channel.objects.create(name="log", kind="log", enabled=True)  # never the network
    return {"wave_id": wave.pk, "parcel_id": parcel.pk, "doc_id": doc.pk, "number": shipped.waybill,
            "case_id": case.pk, "channel_id": channel.pk,
            "handover_id": shipping.start_handover(carrier_code="DEMO").pk,
            "export_id": shipping.export_batch_ship(include_sandbox=True).pk}

"""Background jobs (huey). Tasks are idempotent and are queued after the transaction that asks for them commits."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from fahuo.core.periodic import once_per_slot  # each periodic slot runs once across workers (ADR 0008)

log = logging.getLogger(__name__)


@db_task(retries=2, retry_delay=5)
def run_import_job(job_id: int) -> None:
    from fahuo.orders.services.imports import run_import

    run_import(job_id)


@db_task(retries=3, retry_delay=2)
def reallocate_short(sku_ids: list[int] | None = None) -> None:
    from fahuo.orders.services.decide import reallocate_short as run

    # no lock: each order is locked and re-checked inside, so two runs at once cannot both take the same stock
    run(sku_ids=sku_ids)


@db_periodic_task(crontab(minute="*/5"))
@once_per_slot(minutes=5)
def release_expired_holds() -> None:
    from fahuo.orders.services.sweeps import release_expired_holds as run

    run()


@db_periodic_task(crontab(minute="*/10"))
@once_per_slot(minutes=10)
def retry_short_orders() -> None:
    """Belt and braces: a receive whose reallocation job was lost is caught here."""
    reallocate_short.call_local()


@db_task(retries=1, retry_delay=5)
def render_document(doc_id: int) -> None:
    from fahuo.fulfilment.services.docs import render

    render(doc_id)

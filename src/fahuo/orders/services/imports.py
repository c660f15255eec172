"""Import jobs: the upload is saved, a job row tracks progress, the worker does the reading and storing."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction

from fahuo.core import clock
from fahuo.imports.taobao import read_order_report
from fahuo.imports.types import FileUnreadable
from fahuo.orders.models import ImportJob
from fahuo.orders.services.intake import ImportSummary, apply_report
from fahuo.orders.services.review import address_parser


def _save(data: bytes, filename: str) -> str:
    settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    path = Path(settings.UPLOAD_DIR) / f"{uuid.uuid4().hex}{Path(filename).suffix.lower()[:8]}"
    path.write_bytes(data)
    return str(path)


def start_import(*, data: bytes, filename: str, items: bytes | None = None, items_filename: str = "", by=None) -> ImportJob:
    """Save the files and queue the job (after commit). The caller shows the job's progress page."""
    from fahuo import jobs

    with transaction.atomic():
        job = ImportJob.objects.create(filename=filename[:255], path=_save(data, filename), by=by,
                                       items_filename=items_filename[:255] if items else "",
                                       items_path=_save(items, items_filename or "items.csv") if items else "")
        transaction.on_commit(lambda: jobs.run_import_job(job.pk))
    job.refresh_from_db()
    return job


def run_import(job_id: int) -> ImportJob:
    """Read and store one queued job. Safe to run twice: a finished job is left alone, re-applying rows is a no-op."""
    job = ImportJob.objects.get(pk=job_id)
    if job.state == ImportJob.State.DONE:
        return job
    ImportJob.objects.filter(pk=job_id).update(state=ImportJob.State.RUNNING, started_at=clock.now(), error="")
    try:
        report = read_order_report(Path(job.path).read_bytes(), job.filename,
                                   items=Path(job.items_path).read_bytes() if job.items_path else None,
                                   items_filename=job.items_filename, parser=address_parser())
    except FileUnreadable as e:
        ImportJob.objects.filter(pk=job_id).update(state=ImportJob.State.FAILED, error=str(e), finished_at=clock.now())
        job.refresh_from_db()
        return job
    total = report.data_rows
    ImportJob.objects.filter(pk=job_id).update(total_rows=total, encoding=report.encoding[:20])

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(processed_rows=min(done, total))

    try:
        summary = apply_report(report=report, by=job.by, progress=progress)
    except Exception as e:  # the job says so; committed chunks stay, a re-run finishes the rest
        ImportJob.objects.filter(pk=job_id).update(state=ImportJob.State.FAILED, finished_at=clock.now(),
                                                   error=f"导入中断：{e} (import failed; run it again to finish)")
        raise
    _finish(job_id, summary, total)
    job.refresh_from_db()
    return job


def _finish(job_id: int, summary: ImportSummary, total: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        state=ImportJob.State.DONE, finished_at=clock.now(), processed_rows=total, created_n=summary.created,
        updated_n=summary.updated, unchanged_n=summary.unchanged, rejected=summary.rejected)


def import_now(*, data: bytes, filename: str, items: bytes | None = None, items_filename: str = "",
               by=None) -> ImportSummary:
    """Synchronous import (CLI, tests): raises FileUnreadable when the file cannot be read at all."""
    report = read_order_report(data, filename, items=items, items_filename=items_filename, parser=address_parser())
    return apply_report(report=report, by=by)

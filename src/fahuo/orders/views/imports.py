"""Upload a 卖家中心 order report; watch the job; read what happened to every row."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from fahuo.core.errors import NotFound
from fahuo.core.permissions import require
from fahuo.core.views import handles_errors, parse
from fahuo.orders.forms import ImportForm
from fahuo.orders.models import ImportJob
from fahuo.orders.services import imports
from fahuo.orders.views.common import wants_fragment


@login_required
@handles_errors
def import_orders(request: HttpRequest) -> HttpResponse:
    require(request.user, "import_orders")
    if request.method != "POST":
        jobs = ImportJob.objects.filter(kind="orders").select_related("by").order_by("-id")[:10]
        return render(request, "orders/import.html", {"jobs": jobs})
    d = parse(ImportForm, request.POST, request.FILES)
    items = d["items"]
    job = imports.start_import(data=d["report"].read(), filename=d["report"].name,
                               items=items.read() if items else None, items_filename=items.name if items else "",
                               by=request.user)
    return redirect("orders:import_job", pk=job.pk)


@login_required
@handles_errors
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = ImportJob.objects.filter(pk=pk).select_related("by").first()
    if job is None:
        raise NotFound(f"导入任务 {pk} 不存在 (import job not found)", code="job_not_found")
    template = "orders/_job.html" if wants_fragment(request) else "orders/import_job.html"
    return render(request, template, {"job": job})

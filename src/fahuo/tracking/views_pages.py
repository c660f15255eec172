"""The phone pages of tracking: the exception queue, one case and acting on it, a parcel's tracking timeline
(and reporting it damaged or lost). Views parse, check the role, call one service, answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from fahuo.carriers import catalog
from fahuo.core import clock
from fahuo.core.errors import NotFound
from fahuo.core.masking import receiver_for
from fahuo.core.models import User
from fahuo.core.permissions import allowed, require
from fahuo.core.views import handles_errors, parse
from fahuo.fulfilment.models import Parcel
from fahuo.orders.views.common import wants_fragment
from fahuo.tracking import selectors
from fahuo.tracking.models import ExceptionCase
from fahuo.tracking.services import case_actions, exceptions

PAGE = 30
MAX_LIMIT = 500

RESOLUTIONS = [
    _l("快递已恢复派送"),
    _l("买家已收到"),
    _l("已与买家协商一致"),
    _l("快递已赔付"),
    _l("误报，无需处理"),
]


class QueueForm(forms.Form):
    type = forms.CharField(required=False, max_length=32)
    age = forms.ChoiceField(required=False, choices=[("", "")] + [(k, k) for k in selectors.AGES])
    assigned = forms.ChoiceField(required=False, choices=[("", ""), ("me", "me"), ("none", "none")])
    state = forms.ChoiceField(required=False, choices=[("open", "open"), ("resolved", "resolved")])
    limit = forms.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT)


class AssignForm(forms.Form):
    username = forms.CharField(label=_l("指派给"), max_length=150)


class NoteForm(forms.Form):
    text = forms.CharField(label=_l("备注"), max_length=500)


class ContactedForm(forms.Form):
    note = forms.CharField(label=_l("联系结果"), max_length=500, required=False)


class ResolveForm(forms.Form):
    choice = forms.CharField(label=_l("处理结果"), max_length=100, required=False)
    text = forms.CharField(label=_l("说明"), max_length=200, required=False)

    def clean(self):
        d = super().clean()
        choice, text = (d.get("choice") or "").strip(), (d.get("text") or "").strip()
        if not choice and not text:
            raise forms.ValidationError(_("请选择或填写处理结果"))
        d["resolution"] = (f"{choice}：{text}" if choice and text else choice or text)[:200]
        return d


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_l("类型"), choices=[("damaged", _l("破损")), ("lost", _l("丢失"))])
    note = forms.CharField(label=_l("说明"), max_length=500, required=False)


# ---- the queue ----------------------------------------------------------------------------------------


def _chips(current: dict[str, str], key: str, options: list[tuple[str, Any, int | None]]) -> list[dict]:
    """Filter links that change one filter and keep the others (the URL is the state: back and refresh work)."""
    out = []
    for value, label, n in options:
        q = {k: v for k, v in {**current, key: value}.items() if v}
        out.append({"label": label, "n": n, "href": "?" + urlencode(q), "on": current.get(key, "") == value})
    return out


@login_required
@handles_errors
def queue(request: HttpRequest) -> HttpResponse:
    p = parse(QueueForm, request.GET)
    f = {"type": p["type"].strip(), "age": p["age"], "assigned": p["assigned"], "state": p["state"] or "open"}
    limit = p["limit"] or PAGE
    now = clock.now()
    counts = selectors.type_counts(state=f["state"], age=f["age"], assigned=f["assigned"], user=request.user, now=now)
    rows = list(selectors.queue(**f, user=request.user, now=now)[:limit + 1])
    keep = {k: v for k, v in f.items() if k != "state" or v != "open"}
    type_options: list[tuple[str, Any, int | None]] = [("", _("全部"), sum(counts.values()))]
    type_options += [(t, selectors.TYPE_LABELS.get(t, t), n) for t, n in counts.items()]  # type: ignore[call-overload]
    if f["type"] and f["type"] not in counts:
        type_options.append((f["type"], selectors.TYPE_LABELS.get(f["type"], f["type"]), 0))  # type: ignore[call-overload]
    ctx = {
        "cases": rows[:limit],
        "more_href": "?" + urlencode({**{k: v for k, v in keep.items() if v}, "limit": limit + PAGE})
        if len(rows) > limit else "",
        "filters": f,
        "type_chips": _chips(keep, "type", type_options),
        "age_chips": _chips(keep, "age", [("", _("不限时长"), None)]
                            + [(k, v, None) for k, v in selectors.AGE_LABELS.items()]),
        "assigned_chips": _chips(keep, "assigned", [("", _("所有人"), None), ("me", _("指派给我"), None),
                                                    ("none", _("未指派"), None)]),
        "state_chips": _chips({**keep, "state": f["state"]}, "state",
                              [("open", _("处理中"), None), ("resolved", _("已解决"), None)]),
        "total": sum(counts.values()),
    }
    template = "tracking/_queue.html" if wants_fragment(request) else "tracking/queue.html"
    return render(request, template, ctx)


# ---- one case -------------------------------------------------------------------------------------------

_EVIDENCE_LABELS = {
    "ship_by": _l("最晚发货时间"), "due_soon_hours": _l("提前提醒（小时）"), "amount": _l("订单实付"),
    "compensation_percent": _l("赔付比例（%）"), "compensation_min": _l("赔付下限"), "compensation_max": _l("赔付上限"),
    "shipped_at": _l("发货时间"), "no_pickup_hours": _l("无揽收时限（小时）"), "last_event_at": _l("最后一条物流"),
    "stale_hours": _l("停滞时限（小时）"), "reason": _l("原因"), "carrier": _l("快递公司"), "number": _l("运单号"),
    "likely": _l("可能的快递"), "other_orders": _l("同单号的其他订单"), "trace_city": _l("派送城市"),
    "receiver_city": _l("收货城市"), "receiver_district": _l("收货区县"), "delivered_at": _l("签收时间"),
    "picked_up_at": _l("揽收时间"), "started_at": _l("开始时间"), "hours": _l("用时（小时）"),
    "distance_class": _l("线路距离"), "minimum_hours": _l("估计最少用时（小时）"), "reported_by": _l("登记人"),
    "note": _l("说明"), "reported_at": _l("登记时间"),
}
_DISTANCES = {"same_city": _l("同城"), "same_province": _l("省内"), "neighbouring": _l("邻近省份"), "far": _l("远距离")}
_SKIP = {"events", "estimate", "estimated_compensation"}


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def evidence_rows(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """The evidence as (label, value) rows a person reads: times as local times, lists joined, known words."""
    from fahuo.core.templatetags.fahuo_tags import local
    from fahuo.tracking.templatetags.tracking_tags import track_reason

    rows = []
    for key, value in evidence.items():
        if key in _SKIP or value in ("", None, []):
            continue
        label = _EVIDENCE_LABELS.get(key, key)
        t = _time(value)
        if t is not None:
            text = local(t, "%Y-%m-%d %H:%M")
        elif key == "distance_class":
            text = str(_DISTANCES.get(value, value))
        elif key == "reason":
            text = track_reason(value)
        elif key == "carrier":
            c = catalog.find(value)
            text = c.name_zh if c else value
        elif isinstance(value, list):
            text = "、".join(str(v) for v in value)
        elif key in ("amount", "compensation_min", "compensation_max"):
            text = f"¥{value}"
        else:
            text = str(value)
        rows.append({"label": label, "text": text})
    return rows


def _event_rows(events: list[dict]) -> list[dict]:
    out = []
    for e in reversed(events or []):  # newest first, like the parcel's page
        out.append({"at": _time(e.get("at")), "status": e.get("status", ""), "city": e.get("city", ""),
                    "context": e.get("context", "")})
    return out


def case_context(request: HttpRequest, case: ExceptionCase) -> dict[str, Any]:
    parcel = case.parcel
    carrier = catalog.find(parcel.carrier_code) if parcel else None
    ev = case.evidence or {}
    money = case.estimated_compensation if case.estimated_compensation is not None else \
        ev.get("estimated_compensation")
    return {
        "case": case,
        "order": case.order,
        "parcel": parcel,
        "carrier": carrier,
        "phone": carrier.phone if carrier else "",
        "evidence": evidence_rows(ev),
        "events": _event_rows(ev.get("events", [])),
        "money": money,
        "notes": list(reversed(case.notes or [])),
        "users": list(User.objects.filter(is_active=True).order_by("username").only("username", "role"))
        if allowed(request.user, "exceptions") else [],
        "resolutions": RESOLUTIONS,
        "can_act": allowed(request.user, "exceptions") and case.state == ExceptionCase.State.OPEN,
    }


@login_required
@handles_errors
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case(pk)
    return render(request, "tracking/case.html", case_context(request, case))


def _back(pk: int) -> HttpResponse:
    return redirect("track:case", pk=pk)


@login_required
@require_POST
@handles_errors
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "exceptions")
    username = parse(AssignForm, request.POST)["username"].strip()
    user = request.user if username in ("me", request.user.username) else \
        User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(f"没有用户 {username} (no such user)", code="user_not_found")
    exceptions.assign(case_id=pk, user=user, by=request.user)
    messages.success(request, _("已指派给 %(name)s") % {"name": user.username})
    return _back(pk)


@login_required
@require_POST
@handles_errors
def note(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "exceptions")
    exceptions.note(case_id=pk, text=parse(NoteForm, request.POST)["text"].strip(), by=request.user)
    messages.success(request, _("备注已添加"))
    return _back(pk)


@login_required
@require_POST
@handles_errors
def contacted(request: HttpRequest, pk: int) -> HttpResponse:
    case_actions.contacted(case_id=pk, note=parse(ContactedForm, request.POST)["note"], by=request.user)
    messages.success(request, _("已记录：联系过快递"))
    return _back(pk)


@login_required
@require_POST
@handles_errors
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "exceptions")
    exceptions.resolve(case_id=pk, resolution=parse(ResolveForm, request.POST)["resolution"], by=request.user)
    messages.success(request, _("异常已解决"))
    return _back(pk)


# ---- a parcel's tracking --------------------------------------------------------------------------------


@login_required
@handles_errors
def parcel_page(request: HttpRequest, number: str) -> HttpResponse:
    track = selectors.track_dict(number)
    parcel: Parcel | None = Parcel.objects.filter(waybill=number).select_related("order").first()
    order = parcel.order if parcel else None
    receiver = receiver_for(request.user, name=order.receiver_name, phone=order.receiver_phone,
                            detail=order.detail) if order else None
    carrier = catalog.find(track["carrier"])
    events = [{**e, "at": _time(e["at"]), "other": e["number"] != number} for e in track["timeline"]]
    return render(request, "tracking/parcel.html", {
        "track": track, "number": number, "parcel": parcel, "order": order, "receiver": receiver,
        "carrier": carrier, "events": events, "since": _time(track["status_since"]),
        "cases": selectors.parcel_cases(parcel) if parcel else [],
        "can_report": parcel is not None and parcel.state == Parcel.State.SHIPPED
        and allowed(request.user, "report_parcel"),
    })


@login_required
@require_POST
@handles_errors
def report(request: HttpRequest, number: str) -> HttpResponse:
    d = parse(ReportForm, request.POST)
    case, opened = case_actions.report(number=number, kind=d["kind"], note=d["note"], by=request.user)
    if opened:
        messages.success(request, _("已登记，异常已打开"))
    else:
        messages.info(request, _("这个包裹已经登记过，异常仍在处理中"))
    return redirect(reverse("track:case", kwargs={"pk": case.pk}))

"""The daily digest: what to ship today, what is late, open exceptions by type, new ones, parcels with no 揽收,
parcels delivered yesterday. Sent once a day at NotifySettings.digest_hour (local time, settings.TIME_ZONE)
or at the first run after it; `digest:<date>` makes it once per channel and day whichever worker runs it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import translation

from fahuo.core import clock
from fahuo.core.models import ShopSettings
from fahuo.notify import messages
from fahuo.notify.alerts import django_language, notice_language, public_link
from fahuo.notify.models import NotifySettings
from fahuo.notify.services import enqueue


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=clock.SHANGHAI)
    return start, start + timedelta(days=1)


def collect(*, now=None, lang: str = "zh") -> messages.DigestData:
    from fahuo.fulfilment.models import Parcel
    from fahuo.orders.models import Order
    from fahuo.orders.status import Groups
    from fahuo.tracking.models import ExceptionCase, ParcelTrack
    from fahuo.tracking.selectors import TYPE_LABELS

    now = now or clock.now()
    local_now = clock.local(now)
    assert local_now is not None
    today = local_now.date()
    _start, end_today = _day_bounds(today)
    y_start, y_end = _day_bounds(today - timedelta(days=1))
    shop = ShopSettings.get()
    to_ship = Order.objects.filter(status__in=[s.value for s in Groups.TO_SHIP], ship_by__isnull=False)
    overdue = to_ship.filter(ship_by__lt=now).count()
    today_n = to_ship.filter(ship_by__gte=now, ship_by__lt=end_today).count()
    late = now - timedelta(hours=shop.no_pickup_hours)
    no_pickup = (Parcel.objects.filter(state=Parcel.State.SHIPPED, shipped_at__lte=late)
                 .filter(Q(track__isnull=True) | Q(track__first_scan_at__isnull=True)).count())
    delivered = ParcelTrack.objects.filter(delivered_at__gte=y_start, delivered_at__lt=y_end).count()
    new_cases = ExceptionCase.objects.filter(opened_at__gte=now - timedelta(hours=24)).count()
    rows = (ExceptionCase.objects.filter(state=ExceptionCase.State.OPEN).values("type").annotate(n=Count("id"))
            .order_by("-n", "type"))
    with translation.override(django_language(lang)):
        by_type = [(str(TYPE_LABELS.get(r["type"], r["type"])), r["n"]) for r in rows]
    return messages.DigestData(day=today, to_ship_today=today_n, overdue=overdue, no_pickup=no_pickup,
                               delivered_yesterday=delivered, new_exceptions=new_cases, open_by_type=by_type,
                               shop=shop.shop_name, link=public_link("/"))


def build(*, now=None) -> tuple[messages.DigestData, str, str]:
    lang = notice_language()
    data = collect(now=now, lang=lang)
    title, text = messages.digest(data, lang=lang)
    return data, title, text


def send_digest(*, now=None) -> list:
    """Queue today's digest (once per channel and day). Returns the new rows."""
    data, title, text = build(now=now)
    payload = {"day": data.day.isoformat(), "to_ship_today": data.to_ship_today, "overdue": data.overdue,
               "no_pickup": data.no_pickup, "delivered_yesterday": data.delivered_yesterday,
               "new_exceptions": data.new_exceptions, "open_by_type": [list(t) for t in data.open_by_type]}
    with transaction.atomic():
        return enqueue("digest", f"digest:{data.day.isoformat()}", title, text, payload)


def run(*, now=None) -> bool:
    """The periodic check: once the local hour reaches digest_hour, the first run of the day claims the day
    (guarded UPDATE on NotifySettings.last_digest_day) and queues the digest. True when this run sent it."""
    now = now or clock.now()
    local_now = clock.local(now)
    assert local_now is not None
    s = NotifySettings.get()
    if not s.digest_enabled or local_now.hour < s.digest_hour:
        return False
    today = local_now.date()
    with transaction.atomic():  # the day is claimed only together with its queued rows
        claimed = (NotifySettings.objects.filter(pk=s.pk)
                   .filter(Q(last_digest_day__isnull=True) | Q(last_digest_day__lt=today))
                   .update(last_digest_day=today))
        if not claimed:
            return False
        send_digest(now=now)
    return True

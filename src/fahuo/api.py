"""The REST API: one NinjaAPI that mounts each app's router and turns errors into JSON in one place."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from fahuo.core.auth import API_AUTH
from fahuo.core.errors import FahuoError


class _Utf8Json(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese stays readable in responses and logs


api = NinjaAPI(title="fahuo 发货 API", version="1", auth=API_AUTH, urls_namespace="api", renderer=_Utf8Json())


@api.exception_handler(FahuoError)
def _fahuo_error(request: HttpRequest, exc: FahuoError):
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError):
    return api.create_response(request, {"code": "invalid_input", "message": "请求数据无效 (invalid request)",
                                         "data": {"errors": exc.errors}}, status=422)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(request, {"code": "unauthorized", "message": "需要登录或 API 令牌 (login or token required)"},
                               status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(request, {"code": "http_error", "message": str(exc)}, status=exc.status_code)


def _mount() -> None:
    from fahuo.carriers.api import router as carriers_router
    from fahuo.core.api import router as core_router
    from fahuo.fulfilment.api import router as ship_router
    from fahuo.inventory.api import router as stock_router
    from fahuo.notify.api import router as notify_router
    from fahuo.orders.api import router as orders_router
    from fahuo.tracking.api import router as tracking_router
    from fahuo.tracking.api_polling import router as tracking_polling_router

    api.add_router("/", core_router)
    api.add_router("/orders", orders_router)
    api.add_router("/stock", stock_router)
    api.add_router("/ship", ship_router)
    api.add_router("/carriers", carriers_router)
    api.add_router("/tracking", tracking_router)
    api.add_router("/tracking", tracking_polling_router)  # POST /api/tracking/poll
    api.add_router("/notify", notify_router)


_mount()

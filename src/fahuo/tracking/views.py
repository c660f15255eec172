"""Webhook endpoints (no session, no CSRF: they are signed). Thin: read the request, call the service, answer."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fahuo.tracking.services import webhooks

SUCCESS = {"result": True, "returnCode": "200", "message": "成功"}


def _addr(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


@csrf_exempt
@require_POST
def kuaidi100(request: HttpRequest) -> JsonResponse:
    res = webhooks.handle_kuaidi100(param=request.POST.get("param", ""), sign=request.POST.get("sign", ""),
                                    remote_addr=_addr(request))
    if res.ok:
        return JsonResponse(SUCCESS, json_dumps_params={"ensure_ascii": False})
    return JsonResponse({"result": False, "returnCode": str(res.status), "message": res.message},
                        status=res.status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_POST
def generic(request: HttpRequest) -> JsonResponse:
    res = webhooks.handle_generic(body=request.body, signature=request.headers.get("X-Fahuo-Signature", ""),
                                  remote_addr=_addr(request))
    return JsonResponse({"ok": res.ok, "code": res.code, "message": res.message, "stored": res.stored},
                        status=res.status, json_dumps_params={"ensure_ascii": False})

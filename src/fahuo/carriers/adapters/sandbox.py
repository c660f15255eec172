"""演示快递 — the sandbox carrier. Issues numbers `FH` + 12 digits with routing codes, instantly and offline,
so the whole flow can be shown and tested with no outside service. Never mistaken for a real carrier: no real
pattern matches `FH…` and its code is DEMO."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from fahuo.carriers.adapters.base import AdapterError, WaybillRequest, WaybillResult, register

PREFIX = "FH"

# 大头笔 area codes for province capitals and big cities (the telephone area code, as carriers print it)
_AREA = {
    "北京市": "010", "上海市": "021", "天津市": "022", "重庆市": "023", "广州市": "020", "深圳市": "755",
    "杭州市": "571", "宁波市": "574", "温州市": "577", "南京市": "025", "苏州市": "512", "无锡市": "510",
    "成都市": "028", "武汉市": "027", "西安市": "029", "长沙市": "731", "郑州市": "371", "济南市": "531",
    "青岛市": "532", "沈阳市": "024", "大连市": "411", "哈尔滨市": "451", "长春市": "431", "石家庄市": "311",
    "太原市": "351", "合肥市": "551", "福州市": "591", "厦门市": "592", "南昌市": "791", "南宁市": "771",
    "昆明市": "871", "贵阳市": "851", "海口市": "898", "兰州市": "931", "西宁市": "971", "银川市": "951",
    "乌鲁木齐市": "991", "拉萨市": "891", "呼和浩特市": "471", "东莞市": "769", "佛山市": "757",
}  # fmt: skip


def _digits(text: str, n: int) -> str:
    return str(int(hashlib.sha1(text.encode()).hexdigest(), 16))[:n].zfill(n)


def routing_for(province: str, city: str, district: str) -> dict[str, str]:
    area = _AREA.get(city) or _AREA.get(province) or _digits(province + city, 3)
    short_city = city.removesuffix("市") if city else province.removesuffix("省")
    return {
        "big_pen": f"{area} {short_city}{district.removesuffix('区').removesuffix('县')[:4]}".strip(),
        "sort_code": f"{area}-{_digits(district or city, 3)}-{_digits(city + district, 2)} {_digits(district, 3)}",
        "hub_name": f"{short_city}演示转运中心",
        "hub_code": f"{area}W",
    }


class SandboxAdapter:
    name = "sandbox"

    def issue(self, req: WaybillRequest, *, serial: Callable[[], int]) -> WaybillResult:
        if not (req.province and req.city):
            raise AdapterError("收货地址缺少省/市，演示快递无法分拣 (receiver address lacks province/city)",
                               code="address_incomplete")
        if "*" in req.receiver_phone or "*" in req.detail:
            raise AdapterError("收货信息被打码，快递公司会拒绝 (masked receiver data is refused by carriers)",
                               code="masked_receiver")
        n = serial()
        if not 0 < n < 10**12:
            raise AdapterError("演示单号用完了 (sandbox numbers exhausted)", code="pool_empty")
        return WaybillResult(number=f"{PREFIX}{n:012d}", routing=routing_for(req.province, req.city, req.district))


SANDBOX = register(SandboxAdapter())

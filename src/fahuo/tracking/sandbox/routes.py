"""Where a 演示快递 parcel travels: real cities, plausible hubs, and how long each leg takes.

Pure Python (stdlib + `fahuo.carriers.provinces`). The table holds every province capital and the big
express cities, each with its province, approximate coordinates (degrees, good to ~10 km) and, where the
city runs a sorting hub of its own, the hub's name. Hub names are modelled on how carriers write them
("杭州转运中心", "郑州航空枢纽") but belong to the sandbox carrier: no real facility is claimed.

    route("杭州市", "浙江省", "成都市", "四川省", Random(1), origin_district="西湖区", dest_district="武侯区")
    → [Stop(杭州市, 杭州西湖区网点, pickup), Stop(杭州市, 杭州转运中心, hub), Stop(武汉市, 武汉转运中心, hub),
       Stop(成都市, 成都转运中心, dest_hub), Stop(成都市, 成都武侯区网点, delivery_station)]

A city missing from the table (康定, 喀什 …) is placed at its province's capital and served by the nearest
hub of its province, so any mainland receiver gets a route that ends in its own city.
"""

from __future__ import annotations

import math
from random import Random
from typing import NamedTuple

from fahuo.carriers.provinces import MUNICIPALITIES, normalise_province


class City(NamedTuple):
    name: str  # "杭州市" — the full name, as the address parser gives it
    province: str  # "浙江省"
    lat: float
    lon: float
    hub: str  # the city's own sorting hub, "" when it has none
    trunk: bool  # a national trunk hub parcels from other provinces may pass through


class Stop(NamedTuple):
    city: str
    hub_name: str  # the hub, or the 网点 (outlet) for pickup and delivery_station
    kind: str  # pickup | hub | dest_hub | delivery_station
    province: str = ""
    lat: float = 0.0
    lon: float = 0.0


KINDS = ("pickup", "hub", "dest_hub", "delivery_station")

# (city, province, lat, lon, hub: "*" → "<short>转运中心", "" → none, else the name, trunk)
# The first row of each province is its capital.
_ROWS: tuple[tuple[str, str, float, float, str, bool], ...] = (
    ("北京市", "北京市", 39.90, 116.41, "北京顺义转运中心", True),
    ("天津市", "天津市", 39.13, 117.20, "*", True),
    ("上海市", "上海市", 31.23, 121.47, "上海青浦转运中心", True),
    ("重庆市", "重庆市", 29.56, 106.55, "*", True),
    ("石家庄市", "河北省", 38.04, 114.51, "*", True),
    ("保定市", "河北省", 38.87, 115.46, "", False),
    ("唐山市", "河北省", 39.63, 118.18, "*", False),
    ("廊坊市", "河北省", 39.54, 116.68, "", False),
    ("太原市", "山西省", 37.87, 112.55, "*", True),
    ("大同市", "山西省", 40.08, 113.30, "", False),
    ("呼和浩特市", "内蒙古自治区", 40.84, 111.75, "*", True),
    ("包头市", "内蒙古自治区", 40.66, 109.84, "*", False),
    ("鄂尔多斯市", "内蒙古自治区", 39.61, 109.78, "", False),
    ("赤峰市", "内蒙古自治区", 42.26, 118.89, "", False),
    ("沈阳市", "辽宁省", 41.80, 123.43, "*", True),
    ("大连市", "辽宁省", 38.91, 121.61, "*", False),
    ("长春市", "吉林省", 43.82, 125.32, "*", True),
    ("吉林市", "吉林省", 43.84, 126.55, "", False),
    ("哈尔滨市", "黑龙江省", 45.80, 126.53, "*", True),
    ("齐齐哈尔市", "黑龙江省", 47.35, 123.92, "", False),
    ("南京市", "江苏省", 32.06, 118.80, "*", True),
    ("苏州市", "江苏省", 31.30, 120.62, "*", False),
    ("无锡市", "江苏省", 31.49, 120.31, "*", False),
    ("常州市", "江苏省", 31.81, 119.97, "", False),
    ("南通市", "江苏省", 31.98, 120.89, "", False),
    ("徐州市", "江苏省", 34.26, 117.18, "*", True),
    ("杭州市", "浙江省", 30.27, 120.16, "*", True),
    ("宁波市", "浙江省", 29.87, 121.55, "*", False),
    ("温州市", "浙江省", 28.00, 120.70, "*", False),
    ("金华市", "浙江省", 29.08, 119.65, "义乌转运中心", False),
    ("嘉兴市", "浙江省", 30.75, 120.76, "", False),
    ("绍兴市", "浙江省", 30.00, 120.58, "", False),
    ("台州市", "浙江省", 28.66, 121.42, "", False),
    ("合肥市", "安徽省", 31.82, 117.23, "*", True),
    ("芜湖市", "安徽省", 31.35, 118.43, "", False),
    ("福州市", "福建省", 26.07, 119.30, "*", True),
    ("厦门市", "福建省", 24.48, 118.09, "*", False),
    ("泉州市", "福建省", 24.87, 118.68, "*", False),
    ("南昌市", "江西省", 28.68, 115.86, "*", True),
    ("赣州市", "江西省", 25.83, 114.93, "", False),
    ("九江市", "江西省", 29.71, 116.00, "", False),
    ("济南市", "山东省", 36.65, 117.12, "*", True),
    ("青岛市", "山东省", 36.07, 120.38, "*", False),
    ("临沂市", "山东省", 35.10, 118.36, "*", True),
    ("烟台市", "山东省", 37.46, 121.45, "", False),
    ("潍坊市", "山东省", 36.71, 119.16, "", False),
    ("郑州市", "河南省", 34.75, 113.62, "郑州航空枢纽", True),
    ("洛阳市", "河南省", 34.62, 112.45, "", False),
    ("南阳市", "河南省", 33.00, 112.53, "", False),
    ("武汉市", "湖北省", 30.59, 114.31, "*", True),
    ("宜昌市", "湖北省", 30.69, 111.29, "", False),
    ("襄阳市", "湖北省", 32.01, 112.12, "", False),
    ("长沙市", "湖南省", 28.23, 112.94, "*", True),
    ("株洲市", "湖南省", 27.83, 113.13, "", False),
    ("岳阳市", "湖南省", 29.36, 113.13, "", False),
    ("广州市", "广东省", 23.13, 113.26, "广州白云转运中心", True),
    ("深圳市", "广东省", 22.54, 114.06, "*", False),
    ("东莞市", "广东省", 23.02, 113.75, "*", False),
    ("佛山市", "广东省", 23.02, 113.12, "*", False),
    ("中山市", "广东省", 22.52, 113.39, "", False),
    ("珠海市", "广东省", 22.27, 113.58, "", False),
    ("惠州市", "广东省", 23.11, 114.42, "", False),
    ("汕头市", "广东省", 23.35, 116.68, "*", False),
    ("南宁市", "广西壮族自治区", 22.82, 108.37, "*", True),
    ("桂林市", "广西壮族自治区", 25.27, 110.29, "", False),
    ("柳州市", "广西壮族自治区", 24.33, 109.41, "*", False),
    ("海口市", "海南省", 20.04, 110.20, "*", True),
    ("三亚市", "海南省", 18.25, 109.51, "", False),
    ("成都市", "四川省", 30.57, 104.07, "*", True),
    ("绵阳市", "四川省", 31.47, 104.68, "", False),
    ("南充市", "四川省", 30.84, 106.11, "", False),
    ("贵阳市", "贵州省", 26.65, 106.63, "*", True),
    ("遵义市", "贵州省", 27.73, 106.93, "", False),
    ("昆明市", "云南省", 25.04, 102.71, "*", True),
    ("大理白族自治州", "云南省", 25.61, 100.27, "", False),
    ("拉萨市", "西藏自治区", 29.65, 91.13, "*", True),
    ("日喀则市", "西藏自治区", 29.27, 88.88, "", False),
    ("西安市", "陕西省", 34.34, 108.94, "*", True),
    ("宝鸡市", "陕西省", 34.36, 107.24, "", False),
    ("兰州市", "甘肃省", 36.06, 103.83, "*", True),
    ("酒泉市", "甘肃省", 39.73, 98.49, "", False),
    ("西宁市", "青海省", 36.62, 101.78, "*", True),
    ("银川市", "宁夏回族自治区", 38.49, 106.23, "*", True),
    ("乌鲁木齐市", "新疆维吾尔自治区", 43.83, 87.62, "*", True),
    ("喀什地区", "新疆维吾尔自治区", 39.47, 75.99, "*", False),
    ("石河子市", "新疆维吾尔自治区", 44.31, 86.04, "", False),
)


_ETHNIC = ("土家", "柯尔克孜", "哈萨克", "朝鲜", "蒙古", "布依", "哈尼", "景颇", "傈僳", "苗", "藏", "白", "彝",
           "傣", "壮", "侗", "羌", "黎", "回", "水", "瑶")  # fmt: skip


def _short(city: str) -> str:
    """"杭州市" → "杭州", "喀什地区" → "喀什", "湘西土家族苗族自治州" → "湘西"."""
    if city.endswith("自治州"):
        city = city.removesuffix("自治州")
        while any(city.endswith(f"{e}族") for e in _ETHNIC):
            city = next(city.removesuffix(f"{e}族") for e in _ETHNIC if city.endswith(f"{e}族"))
        return city
    for suffix in ("市", "地区", "盟"):
        if city.endswith(suffix) and len(city) > len(suffix) + 1:
            return city.removesuffix(suffix)
    return city


CITIES: dict[str, City] = {
    name: City(name, prov, lat, lon, f"{_short(name)}转运中心" if hub == "*" else hub, trunk)
    for name, prov, lat, lon, hub, trunk in _ROWS
}
CAPITALS: dict[str, City] = {}
for _c in CITIES.values():
    CAPITALS.setdefault(_c.province, _c)
HUBS: tuple[City, ...] = tuple(c for c in CITIES.values() if c.hub)
TRUNK_HUBS: tuple[City, ...] = tuple(c for c in HUBS if c.trunk)


def km(a, b) -> float:
    """Great-circle distance in km between two things with `lat` and `lon`."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def find_city(city: str, province: str = "") -> City:
    """The table's row for `city` (full or short name), else a City at its province's capital with no hub.
    Raises ValueError for places the sandbox does not serve (no province, 港澳台)."""
    city = (city or "").strip()
    prov = normalise_province(province) or normalise_province(city) or ""
    for key in (city, f"{city}市"):
        if key in CITIES and (not prov or CITIES[key].province == prov):
            return CITIES[key]
    if prov in MUNICIPALITIES:
        return CITIES[prov]
    capital = CAPITALS.get(prov)
    if capital is None:
        raise ValueError(f"演示快递不送这里：{province}{city} (the sandbox carrier does not serve this place)")
    if not city:
        return capital
    return City(city, prov, capital.lat, capital.lon, "", False)


def hub_for(city: City) -> City:
    """The hub that serves `city`: its own, else the nearest hub of its province."""
    if city.hub:
        return city
    same = [h for h in HUBS if h.province == city.province] or list(HUBS)
    return min(same, key=lambda h: km(h, city))


def outlet_name(city: str, district: str = "") -> str:
    """The 网点 (outlet) that picks up or delivers: "杭州西湖区网点", or "东莞城区网点" without a district."""
    return f"{_short(city)}{district or '城区'}网点"


def _stop(c: City, name: str, kind: str) -> Stop:
    return Stop(c.name, name, kind, c.province, c.lat, c.lon)


def _intermediates(a: City, b: City, rng: Random) -> list[City]:
    """0–2 trunk hubs roughly on the way from hub `a` to hub `b` (a detour of at most 15 %)."""
    d = km(a, b)
    if a.province == b.province or d < 600:
        return []
    n = rng.choice((0, 1, 1)) if d < 1400 else rng.choice((1, 1, 2))
    edge = max(150.0, 0.15 * d)  # a hub in between is well clear of both ends …
    cands = [
        h for h in TRUNK_HUBS
        if h.province not in (a.province, b.province)
        and km(a, h) > edge and km(h, b) > edge and km(a, h) + km(h, b) <= 1.15 * d  # … and barely a detour
    ]  # fmt: skip
    cands = sorted(cands, key=lambda h: km(a, h) + km(h, b))[:5]  # the five that stray least
    picked = sorted(rng.sample(cands, min(n, len(cands))), key=lambda h: km(a, h))
    if len(picked) == 2 and (km(picked[0], picked[1]) < 150 or km(picked[1], b) > km(picked[0], b)):
        picked = picked[:1]
    return picked


def route(
    origin_city: str,
    origin_province: str,
    dest_city: str,
    dest_province: str,
    rng: Random,
    *,
    origin_district: str = "",
    dest_district: str = "",
) -> list[Stop]:
    """origin 网点 → origin hub → 0–2 hubs on the way → destination hub → destination 网点.

    Same city (one hub serves both ends): pickup → dest_hub → delivery_station. Same province: no hubs in
    between. The first stop is in the origin city, the last in the destination city."""
    a, b = find_city(origin_city, origin_province), find_city(dest_city, dest_province)
    ha, hb = hub_for(a), hub_for(b)
    stops = [_stop(a, outlet_name(a.name, origin_district), "pickup")]
    if ha.name != hb.name:
        stops.append(_stop(ha, ha.hub, "hub"))
        stops += [_stop(h, h.hub, "hub") for h in _intermediates(ha, hb, rng)]
    stops.append(_stop(hb, hb.hub, "dest_hub"))
    stops.append(_stop(b, outlet_name(b.name, dest_district), "delivery_station"))
    return stops


def leg_hours(a, b, rng: Random) -> float:
    """Hours on the road between two stops: local shuttles (≤ 80 km) 1–3 h; trunk lines at ~65 km/h for
    regional legs and ~80 km/h for long ones (relay drivers), ×0.9–1.3 jitter, plus 0.5–1.5 h loading."""
    d = km(a, b)
    if d <= 80:
        return 1.0 + d / 50 + rng.uniform(0.0, 1.0)
    speed = 65.0 if d < 800 else 80.0
    return d / speed * rng.uniform(0.9, 1.3) + rng.uniform(0.5, 1.5)

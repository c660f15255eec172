"""Chinese receiver addresses → 省 / 市 / 区 / detail, on top of cpca-new.

Why a wrapper (research/stack.md §2): cpca-new is fast and current, but
- it returns pandas NaN for missing levels and None when nothing matched;
- its per-call overhead is ~50× its per-address cost (a DataFrame per call), so batch: `parse_many`;
- it knows no renamed places (莱芜市 → 济南市莱芜区), so a small pre-pass rewrites them;
- it leaves Taobao's `(310000)` postcode in the detail, and it silently drops whatever stands before
  the province (a name, a phone), so pasted blobs go through `split_receiver_blob` first.

Choices on levels:
- The four municipalities: city repeats the province ("北京市", "北京市").
- 省直辖县级市 (仙桃市, 石河子市, 琼海市 …): cpca gives no city. We put the county-level city in `city`
  and leave `district` "" (a courier reads 湖北省 仙桃市; "省直辖县级行政区划" is not an address).
  `adcode` is set, so `complete` is True.
- Cities without districts (东莞市, 中山市, 嘉峪关市, 儋州市 …): district "" and adcode set → complete.
- `adcode` is set only when the address resolved to its lowest administrative level, so that
  `ParsedAddress.complete` means "a courier can route it": 浙江省杭州市文三路 (no 区) is not complete.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence

from .types import ParsedAddress

_WS = re.compile(r"\s+")
_POSTCODE = re.compile(r"\s*[(（]\s*(\d{6})\s*[)）]\s*$")
_POSTCODE_PLACEHOLDER = re.compile(r"\s+0{6}$")
_DETAIL_EDGE = " \t\r\n\u3000,，;；:：、-—|/"

MUNICIPALITIES = frozenset({"北京市", "上海市", "天津市", "重庆市"})

# Places renamed or merged since the data of older buyers' address books. Longer keys first: the
# regex alternation takes the first alternative that matches at a position.
LEGACY_NAMES: dict[str, str] = {
    "莱芜市莱城区": "济南市莱芜区",  # 2019: 莱芜市 merged into 济南
    "莱芜市钢城区": "济南市钢城区",
    "莱芜市": "济南市莱芜区",
    "莱城区": "莱芜区",
    "襄樊市": "襄阳市",  # 2010
    "襄樊": "襄阳",
    "巢湖市居巢区": "合肥市巢湖市",  # 2011: 地级巢湖市 split up
    "巢湖市含山县": "马鞍山市含山县",
    "巢湖市和县": "马鞍山市和县",
    "巢湖市庐江县": "合肥市庐江县",
    "巢湖市无为县": "芜湖市无为市",
    "居巢区": "巢湖市",
    "无为县": "无为市",  # 2019
    "思茅市": "普洱市",  # 2007
    "翠云区": "思茅区",
    "崇文区": "东城区",  # 2010
    "宣武区": "西城区",
    "卢湾区": "黄浦区",  # 2011
    "闸北区": "静安区",  # 2015
    "南汇区": "浦东新区",  # 2009
    "塘沽区": "滨海新区",  # 2009
    "汉沽区": "滨海新区",
    "大港区": "滨海新区",
    "白下区": "秦淮区",  # 2013
    "下关区": "鼓楼区",
    "萝岗区": "黄埔区",  # 2014
    "沧浪区": "姑苏区",  # 2012
    "平江区": "姑苏区",
    "金阊区": "姑苏区",
    "江干区": "上城区",  # 2021 (part went to 钱塘区; the street detail still routes it)
    "下城区": "拱墅区",
    "铜仁地区": "铜仁市",  # 2011
    "毕节地区": "毕节市",
    "海东地区": "海东市",  # 2013
    "日喀则地区": "日喀则市",  # 2014
    "昌都地区": "昌都市",
    "林芝地区": "林芝市",  # 2015
    "山南地区": "山南市",  # 2016
    "那曲地区": "那曲市",  # 2017
    "吐鲁番地区": "吐鲁番市",  # 2015
    "哈密地区": "哈密市",  # 2016
}

# Everyday short names of autonomous prefectures (恩施州). cpca matches 恩施 as the county-level
# 恩施市 and then leaves "州恩施市…" in the detail; the full name parses cleanly.
PREFECTURE_SHORT: dict[str, str] = {
    "恩施州": "恩施土家族苗族自治州",
    "湘西州": "湘西土家族苗族自治州",
    "延边州": "延边朝鲜族自治州",
    "大理州": "大理白族自治州",
    "红河州": "红河哈尼族彝族自治州",
    "楚雄州": "楚雄彝族自治州",
    "文山州": "文山壮族苗族自治州",
    "西双版纳州": "西双版纳傣族自治州",
    "德宏州": "德宏傣族景颇族自治州",
    "怒江州": "怒江傈僳族自治州",
    "迪庆州": "迪庆藏族自治州",
    "凉山州": "凉山彝族自治州",
    "甘孜州": "甘孜藏族自治州",
    "阿坝州": "阿坝藏族羌族自治州",
    "黔东南州": "黔东南苗族侗族自治州",
    "黔南州": "黔南布依族苗族自治州",
    "黔西南州": "黔西南布依族苗族自治州",
    "临夏州": "临夏回族自治州",
    "甘南州": "甘南藏族自治州",
    "海北州": "海北藏族自治州",
    "海南州": "海南藏族自治州",
    "海西州": "海西蒙古族藏族自治州",
    "黄南州": "黄南藏族自治州",
    "果洛州": "果洛藏族自治州",
    "玉树州": "玉树藏族自治州",
    "伊犁州": "伊犁哈萨克自治州",
    "昌吉州": "昌吉回族自治州",
}

_RENAMES = {**LEGACY_NAMES, **PREFECTURE_SHORT}
_RENAME_RE = re.compile(
    "|".join(re.escape(k) for k in sorted(_RENAMES, key=len, reverse=True)) + r"(?![区市县])"
)
_RENAME_WINDOW = 30
_FIRST_DIGIT = re.compile(r"\d")


def _rename_legacy(text: str) -> str:
    """Rewrite old place names, but only in the region part: before the first digit (house numbers
    start the street detail) and within the first 30 characters. 原襄樊市第一百货 stays a shop."""
    m = _FIRST_DIGIT.search(text)
    limit = min(_RENAME_WINDOW, m.start() if m else len(text))

    def repl(m: re.Match[str]) -> str:
        return _RENAMES[m.group(0)] if m.start() < limit else m.group(0)

    return _RENAME_RE.sub(repl, text)


def _split_postcode(text: str) -> tuple[str, str]:
    """`… (310000)` → (text, "310000"); the `000000` placeholder gives no postcode."""
    m = _POSTCODE.search(text)
    if m:
        code = m.group(1)
        return text[: m.start()], "" if code == "000000" else code
    m = _POSTCODE_PLACEHOLDER.search(text)
    if m:
        return text[: m.start()], ""
    return text, ""


def _str(v: object) -> str:
    """cpca cell → str: NaN (truthy!) and None become ""."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


@functools.lru_cache(maxsize=8192)
def _short(name: str) -> str:
    """浙江省 → 浙江, 广西壮族自治区 → 广西, 杭州市 → 杭州: the form buyers type."""
    for suffix in ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _strip_repeated_regions(detail: str, names: Sequence[str]) -> str:
    """Buyers often retype the region in the street field: drop it when it leads the detail."""
    forms = [f for n in names if n for f in dict.fromkeys((n, _short(n))) if len(f) >= 2]  # long form first
    while detail and any(detail.startswith(f) for f in forms):
        for f in forms:
            if detail.startswith(f):
                if len(detail) == len(f):
                    return detail
                detail = detail[len(f) :].lstrip(_DETAIL_EDGE)
    return detail


# Districts that cpca-new's table lacks (checked 2026-11): (province, city) -> {district: adcode}.
MISSING_DISTRICTS = {
    ("重庆市", "重庆市"): {"渝北区": "500112", "江北区": "500105"},
}


def _supplement(province: str, city: str, detail: str, adcode: str) -> tuple[str, str, str, str, str]:
    """Fill a district the library does not know when the detail starts with it (重庆 渝北区 …)."""
    city = city or (province if province in MUNICIPALITIES else city)
    for name, code in MISSING_DISTRICTS.get((province, city), {}).items():
        for form in (name, name[:-1]):
            probe = _strip_repeated_regions(detail.strip(_DETAIL_EDGE), (province, city))
            if probe.startswith(form):
                return province, city, name, probe[len(form):].strip(_DETAIL_EDGE), code
    return province, city, "", detail, adcode


class AddressParser:
    """Parses receiver addresses. Build one and reuse it; `parse_many` for whole files."""

    def __init__(self) -> None:
        import cpca_new  # slow-ish import (pandas); keep it out of module import time

        self._cpca = cpca_new
        addrs = cpca_new.ad_2_addr_dict.values()
        city_codes_with_children = {a.adcode[:4] for a in addrs if a.rank == 2}
        self._cities_without_districts = frozenset(
            a.adcode for a in addrs if a.rank == 1 and a.adcode[:4] not in city_codes_with_children
        )
        names = {a.name for a in addrs}
        self.region_names = frozenset(names | {_short(n) for n in names} | set(PREFECTURE_SHORT))

    def parse(self, text: str | None) -> ParsedAddress:
        return self.parse_many([text])[0]

    def parse_many(self, texts: Iterable[str | None]) -> list[ParsedAddress]:
        """Parse a batch in one cpca call (≈5 µs/address instead of ≈250 µs one by one)."""
        cleaned = [_WS.sub(" ", t).strip() if isinstance(t, str) else "" for t in texts]
        unique = list(dict.fromkeys(cleaned))
        prepared = []
        for text in unique:
            body, postcode = _split_postcode(text)
            prepared.append((_rename_legacy(body).strip(), postcode))
        df = self._cpca.transform([body for body, _ in prepared])
        provinces = df["省"].tolist()
        cities = df["市"].tolist()
        districts = df["区"].tolist()
        details = df["地址"].tolist()
        adcodes = df["adcode"].tolist()
        parsed = {}
        for i, text in enumerate(unique):
            body, postcode = prepared[i]
            parsed[text] = self._build(
                text, body, postcode, provinces[i], cities[i], districts[i], details[i], adcodes[i]
            )
        return [parsed[t] for t in cleaned]

    def _build(self, raw, body, postcode, p, c, d, detail, adcode) -> ParsedAddress:
        province, city, district, adcode = _str(p), _str(c), _str(d), _str(adcode)
        detail = _str(detail) if adcode else body
        if province and not district:
            province, city, district, detail, adcode = _supplement(province, city, detail, adcode)
        if province in MUNICIPALITIES:
            city = province
        elif province and not city and district:
            city, district = district, ""  # 省直辖县级市: 湖北省 仙桃市
        if adcode.endswith("00") and not district and adcode not in self._cities_without_districts:
            adcode = ""  # resolved only to a 省, or to a 市 that has 区: not routable yet
        detail = _strip_repeated_regions(detail.strip(_DETAIL_EDGE), (province, city, district))
        return ParsedAddress(
            raw=raw,
            province=province,
            city=city,
            district=district,
            detail=detail.strip(_DETAIL_EDGE),
            postcode=postcode,
            adcode=adcode,
        )


# --- pasted receiver blobs -------------------------------------------------------------------------

_PHONE_PATTERNS = (
    # privacy number: host + extension
    re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1\d{10}\s*(?:[-－_#＃转]|ext\.?|分机号?)\s*\d{1,6}(?!\d)", re.I),
    # mobile, possibly spaced or dashed
    re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)"),
    # masked
    re.compile(r"(?<![\d*])1\d{2}\*{2,6}\d{2,4}(?!\d)"),
    # landline with area code (a dash is required, or it would eat house numbers)
    re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?:-\d{1,6})?(?!\d)"),
)
_LABEL = re.compile(
    r"(收货人|收件人|联系人|姓名|名字|手机号码|手机号|手机|联系电话|电话号码|电话|所在地区|详细地址|收货地址|地址)\s*[:：]"
)
_LABEL_ROLE = {
    "收货人": "name", "收件人": "name", "联系人": "name", "姓名": "name", "名字": "name",
    "手机号码": "phone", "手机号": "phone", "手机": "phone", "联系电话": "phone", "电话号码": "phone",
    "电话": "phone",
    "所在地区": "address", "详细地址": "address", "收货地址": "address", "地址": "address",
}  # fmt: skip
_SEP = " \t\r\n\u3000,，;；:：、|/"
_NAME = re.compile(r"^(?:[\u4e00-\u9fff·]{2,4}|[A-Za-z][A-Za-z .'-]{0,19})$")
_NAME_AT_START = re.compile(r"^([^\s,，;；:：、|/]+)[\s,，;；:：、|/]+")
_NAME_AT_END = re.compile(r"[\s,，;；:：、|/]+([^\s,，;；:：、|/]+)$")
_REGION_SUFFIX = tuple("省市区县州旗盟镇乡村路街道号巷弄楼室")


def _find_phone(text: str) -> re.Match[str] | None:
    for pattern in _PHONE_PATTERNS:
        m = pattern.search(text)
        if m:
            return m
    return None


def split_receiver_blob(text: str | None, parser: AddressParser | None = None) -> tuple[str, str, str]:
    """A pasted `张三 13812345678 浙江省…` (any order, or labelled 收货人：…) → (name, phone_raw, address).

    The phone is found first (its digits would confuse everything else), then a name: a 2–4 character
    Chinese token (or a short Latin one) at the start or the end that is not a place name. The rest is
    the address. Missing parts come back as "".
    """
    text = (text or "").strip()
    if not text:
        return "", "", ""
    parser = parser or _default_parser()
    if _LABEL.search(text):
        return _split_labelled(text, parser)

    phone = ""
    m = _find_phone(text)
    if m:
        phone = m.group(0).strip()
        text = text[: m.start()] + " " + text[m.end() :]
    rest = text.strip(_SEP)

    name = ""
    m = _NAME_AT_START.match(rest)
    if m and _looks_like_name(m.group(1), parser):
        name, rest = m.group(1), rest[m.end() :]
    else:
        m = _NAME_AT_END.search(rest)
        if m and _looks_like_name(m.group(1), parser):
            name, rest = m.group(1), rest[: m.start()]
        else:
            name, rest = _name_glued_to_address(rest, parser)
    return name, phone, rest.strip(_SEP)


def _looks_like_name(token: str, parser: AddressParser) -> bool:
    return (
        bool(_NAME.match(token)) and token not in parser.region_names and not token.endswith(_REGION_SUFFIX)
    )


def _name_glued_to_address(rest: str, parser: AddressParser) -> tuple[str, str]:
    """`张三浙江省杭州市…`: a 2–4 character prefix right before the first place name."""
    if _starts_with_region(rest, parser):
        return "", rest
    for size in range(2, 5):
        head, tail = rest[:size], rest[size:]
        if _looks_like_name(head, parser) and _starts_with_region(tail, parser):
            return head, tail
    return "", rest


def _starts_with_region(text: str, parser: AddressParser) -> bool:
    return any(text[:k] in parser.region_names for k in range(2, min(len(text), 12) + 1))


def _split_labelled(text: str, parser: AddressParser) -> tuple[str, str, str]:
    labels = list(_LABEL.finditer(text))
    values: dict[str, list[str]] = {"name": [], "phone": [], "address": []}
    for i, m in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        value = text[m.end() : end].strip(_SEP)
        if value:
            values[_LABEL_ROLE[m.group(1)]].append(value)
    name = values["name"][0] if values["name"] else ""
    phone = ""
    for candidate in values["phone"] or [text]:
        found = _find_phone(candidate)
        if found:
            phone = found.group(0).strip()
            break
    if not phone and values["phone"]:
        phone = values["phone"][0]
    address = " ".join(values["address"])
    return name, phone, address


_PARSER: AddressParser | None = None


def _default_parser() -> AddressParser:
    global _PARSER
    if _PARSER is None:
        _PARSER = AddressParser()
    return _PARSER

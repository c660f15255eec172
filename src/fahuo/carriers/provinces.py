"""The 34 province-level divisions (省级行政区), their short forms, and the groups rate cards and rules use.

Pure Python. Full names are the canonical form everywhere in fahuo (they are what the address parser
gives: "新疆维吾尔自治区", "北京市"); anything a seller types is turned into them here:

    normalise_province("新疆")        → "新疆维吾尔自治区"
    normalise_province("浙江省杭州市")  → "浙江省"   (a full or short name at the start)
    normalise_province("Inner Mongolia") → "内蒙古自治区"
    expand("偏远地区")                 → ("内蒙古自治区", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区", "西藏自治区")

Groups (a name a rule or a rate-card row may use instead of listing provinces):

- 偏远地区 / 偏远 / remote: 新疆, 西藏, 青海, 内蒙古, 甘肃, 宁夏. The set most Taobao shops exclude
  from 包邮 and send by 邮政; it is the demo's REMOTE_PROVINCES too. A convention, not a carrier's
  definition: carriers and sellers differ (some add 海南), so a seller who means something else lists
  the provinces.
- 港澳台 / hk_mo_tw: 香港, 澳门, 台湾 (domestic express rate cards usually leave them out).
- 江浙沪 (苏, 浙, 沪) and 江浙沪皖 (+ 安徽): the usual cheap zone of an eastern shop.
- The seven geographic regions of the mainland (七大地理分区), without 港澳台: 华东 (沪苏浙皖闽赣鲁),
  华南 (粤桂琼), 华北 (京津冀晋蒙), 华中 (豫鄂湘), 西南 (渝川贵云藏), 西北 (陕甘青宁新), 东北 (辽吉黑).
  Together they are the 31 mainland divisions, each in exactly one region.
- 全国 / all: all 34.
"""

from __future__ import annotations

import unicodedata

# (full name, short name, official one-character abbreviation(s), pinyin/English names)
_TABLE: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("北京市", "北京", "京", ("beijing", "peking")),
    ("天津市", "天津", "津", ("tianjin",)),
    ("上海市", "上海", "沪", ("shanghai",)),
    ("重庆市", "重庆", "渝", ("chongqing",)),
    ("河北省", "河北", "冀", ("hebei",)),
    ("山西省", "山西", "晋", ("shanxi",)),
    ("辽宁省", "辽宁", "辽", ("liaoning",)),
    ("吉林省", "吉林", "吉", ("jilin",)),
    ("黑龙江省", "黑龙江", "黑", ("heilongjiang",)),
    ("江苏省", "江苏", "苏", ("jiangsu",)),
    ("浙江省", "浙江", "浙", ("zhejiang",)),
    ("安徽省", "安徽", "皖", ("anhui",)),
    ("福建省", "福建", "闽", ("fujian",)),
    ("江西省", "江西", "赣", ("jiangxi",)),
    ("山东省", "山东", "鲁", ("shandong",)),
    ("河南省", "河南", "豫", ("henan",)),
    ("湖北省", "湖北", "鄂", ("hubei",)),
    ("湖南省", "湖南", "湘", ("hunan",)),
    ("广东省", "广东", "粤", ("guangdong",)),
    ("海南省", "海南", "琼", ("hainan",)),
    ("四川省", "四川", "川蜀", ("sichuan",)),
    ("贵州省", "贵州", "贵黔", ("guizhou",)),
    ("云南省", "云南", "云滇", ("yunnan",)),
    ("陕西省", "陕西", "陕秦", ("shaanxi",)),
    ("甘肃省", "甘肃", "甘陇", ("gansu",)),
    ("青海省", "青海", "青", ("qinghai",)),
    ("台湾省", "台湾", "台", ("taiwan",)),
    ("内蒙古自治区", "内蒙古", "蒙", ("innermongolia", "neimenggu", "neimongol", "内蒙")),
    ("广西壮族自治区", "广西", "桂", ("guangxi",)),
    ("西藏自治区", "西藏", "藏", ("tibet", "xizang")),
    ("宁夏回族自治区", "宁夏", "宁", ("ningxia",)),
    ("新疆维吾尔自治区", "新疆", "新", ("xinjiang",)),
    ("香港特别行政区", "香港", "港", ("hongkong", "hk", "xianggang")),
    ("澳门特别行政区", "澳门", "澳", ("macau", "macao", "aomen")),
)

PROVINCES: tuple[str, ...] = tuple(row[0] for row in _TABLE)  # the 34 full names
SHORT: dict[str, str] = {row[0]: row[1] for row in _TABLE}  # full → short ("新疆维吾尔自治区" → "新疆")
MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})
HK_MO_TW = frozenset({"香港特别行政区", "澳门特别行政区", "台湾省"})
MAINLAND: tuple[str, ...] = tuple(p for p in PROVINCES if p not in HK_MO_TW)

# The province cell of a rate card that means "every province without its own row".
DEFAULT_MARKERS = frozenset({"*", "其他", "其它", "其他地区", "其它地区", "其余", "默认", "default", "other", "others"})


def _full(*shorts: str) -> tuple[str, ...]:
    by_short = {row[1]: row[0] for row in _TABLE}
    return tuple(by_short[s] for s in shorts)


REGIONS: dict[str, tuple[str, ...]] = {
    "华东": _full("上海", "江苏", "浙江", "安徽", "福建", "江西", "山东"),
    "华南": _full("广东", "广西", "海南"),
    "华北": _full("北京", "天津", "河北", "山西", "内蒙古"),
    "华中": _full("河南", "湖北", "湖南"),
    "西南": _full("重庆", "四川", "贵州", "云南", "西藏"),
    "西北": _full("陕西", "甘肃", "青海", "宁夏", "新疆"),
    "东北": _full("辽宁", "吉林", "黑龙江"),
}
REMOTE: tuple[str, ...] = _full("内蒙古", "甘肃", "青海", "宁夏", "新疆", "西藏")

GROUPS: dict[str, tuple[str, ...]] = {
    "偏远地区": REMOTE,
    "港澳台": tuple(p for p in PROVINCES if p in HK_MO_TW),
    "江浙沪": _full("江苏", "浙江", "上海"),
    "江浙沪皖": _full("江苏", "浙江", "上海", "安徽"),
    **REGIONS,
    "全国": PROVINCES,
}
_GROUP_ALIASES: dict[str, str] = {
    "偏远": "偏远地区",
    "remote": "偏远地区",
    "hk_mo_tw": "港澳台",
    "hkmotw": "港澳台",
    "江浙沪地区": "江浙沪",
    "all": "全国",
    "全部": "全国",
    **{f"{r}地区": r for r in REGIONS},
}


def _fold(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).strip().lower()
    return "".join(ch for ch in t if not ch.isspace() and ch not in "_-·")


def _build() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    exact: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    for full, short, abbrs, others in _TABLE:
        for name in (full, short, *others):
            exact[_fold(name)] = full
        for ch in abbrs:  # one-character abbreviations: whole cell only, never a prefix
            exact[ch] = full
        prefixes += [(full, full), (short, full)]
        if full == "内蒙古自治区":
            prefixes.append(("内蒙", full))
    prefixes.sort(key=lambda kv: -len(kv[0]))
    return exact, tuple(prefixes)


_EXACT, _PREFIXES = _build()


def normalise_province(text: str | None) -> str | None:
    """Full name of the province `text` names (full, short, 简称, pinyin, or a full/short name followed by
    more address), else None. Groups are not provinces: see `expand`."""
    if not text:
        return None
    key = _fold(text)
    if not key:
        return None
    if key in _EXACT:
        return _EXACT[key]
    for prefix, full in _PREFIXES:
        if key.startswith(prefix):
            return full
    return None


def group_name(text: str) -> str | None:
    """The canonical group name ("偏远地区", "江浙沪", "华东" …) `text` names, else None."""
    key = _fold(text)
    if key in GROUPS:
        return key
    return _GROUP_ALIASES.get(key)


def expand(text: str) -> tuple[str, ...]:
    """Full province names for one province or group name; () when it is neither."""
    group = group_name(text)
    if group is not None:
        return GROUPS[group]
    full = normalise_province(text)
    return (full,) if full else ()


def short_name(full: str) -> str:
    """"新疆维吾尔自治区" → "新疆" (unknown names come back unchanged)."""
    return SHORT.get(full, full)

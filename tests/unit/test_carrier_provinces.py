"""Province names: the 34 divisions, short forms, and the groups rules and rate cards use."""

import pytest

from fahuo.carriers import provinces


def test_there_are_34_province_level_divisions_31_on_the_mainland():
    assert len(provinces.PROVINCES) == len(set(provinces.PROVINCES)) == 34
    assert len(provinces.MAINLAND) == 31


@pytest.mark.parametrize(
    "text, full",
    [
        ("新疆", "新疆维吾尔自治区"),
        ("新疆维吾尔自治区", "新疆维吾尔自治区"),
        ("西藏", "西藏自治区"),
        ("内蒙", "内蒙古自治区"),
        ("Inner Mongolia", "内蒙古自治区"),
        ("广西", "广西壮族自治区"),
        ("北京", "北京市"),
        ("沪", "上海市"),
        ("陕西", "陕西省"),
        ("山西", "山西省"),
        ("shaanxi", "陕西省"),
        ("浙江省杭州市西湖区", "浙江省"),
        ("香港", "香港特别行政区"),
        (" 黑龙江 ", "黑龙江省"),
    ],
)
def test_normalise_province_gives_the_full_name(text, full):
    assert provinces.normalise_province(text) == full


@pytest.mark.parametrize("text", ["", None, "火星", "杭州", "偏远地区"])
def test_normalise_province_returns_none_for_non_provinces(text):
    assert provinces.normalise_province(text) is None


def test_remote_group_is_the_six_western_provinces():
    assert set(provinces.expand("偏远地区")) == {
        "新疆维吾尔自治区", "西藏自治区", "青海省", "内蒙古自治区", "甘肃省", "宁夏回族自治区",
    }  # fmt: skip
    assert provinces.expand("偏远") == provinces.expand("remote") == provinces.expand("偏远地区")


def test_seven_regions_cover_the_mainland_once_each():
    seen = [p for region in provinces.REGIONS.values() for p in region]
    assert sorted(seen) == sorted(provinces.MAINLAND)


def test_expand_a_province_gives_itself_and_unknown_gives_nothing():
    assert provinces.expand("江浙沪") == ("江苏省", "浙江省", "上海市")
    assert provinces.expand("宁夏") == ("宁夏回族自治区",)
    assert provinces.expand("火星") == ()
    assert provinces.short_name("新疆维吾尔自治区") == "新疆"

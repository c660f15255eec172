"""Address parsing on the hard cases of research/stack.md §2, plus Taobao's export forms."""

import pytest

from fahuo.imports.address import AddressParser, split_receiver_blob


@pytest.fixture(scope="module")
def parser():
    return AddressParser()


# (text, 省, 市, 区, detail)
HARD_CASES = [
    ("北京市朝阳区建国路88号", "北京市", "北京市", "朝阳区", "建国路88号"),
    ("上海浦东新区张江路100号", "上海市", "上海市", "浦东新区", "张江路100号"),
    ("广西南宁市青秀区民族大道1号", "广西壮族自治区", "南宁市", "青秀区", "民族大道1号"),
    ("新疆乌鲁木齐市天山区解放北路1号", "新疆维吾尔自治区", "乌鲁木齐市", "天山区", "解放北路1号"),
    ("云南省西双版纳傣族自治州景洪市宣慰大道1号", "云南省", "西双版纳傣族自治州", "景洪市", "宣慰大道1号"),
    ("杭州市余杭区文一西路969号", "浙江省", "杭州市", "余杭区", "文一西路969号"),
    ("河南郑州金水区花园路1号", "河南省", "郑州市", "金水区", "花园路1号"),
    ("昆山市玉山镇人民路1号", "江苏省", "苏州市", "昆山市", "玉山镇人民路1号"),
    ("湖北省仙桃市干河街道1号", "湖北省", "仙桃市", "", "干河街道1号"),
    ("天津滨海新区经济技术开发区第三大街1号", "天津市", "天津市", "滨海新区", "经济技术开发区第三大街1号"),
    ("内蒙古呼和浩特市赛罕区大学东街1号", "内蒙古自治区", "呼和浩特市", "赛罕区", "大学东街1号"),
    ("广东省东莞市长安镇长安广场1号", "广东省", "东莞市", "", "长安镇长安广场1号"),
    ("四川省 成都市 武侯区 天府大道北段1700号", "四川省", "成都市", "武侯区", "天府大道北段1700号"),
    ("吉林市船营区北京路1号", "吉林省", "吉林市", "船营区", "北京路1号"),
    ("福州鼓楼区五四路1号", "福建省", "福州市", "鼓楼区", "五四路1号"),
    ("江苏苏州工业园区星湖街328号", "江苏省", "苏州市", "苏州工业园区", "星湖街328号"),
    ("长春市朝阳区人民大街1号", "吉林省", "长春市", "朝阳区", "人民大街1号"),
    ("恩施州恩施市舞阳大道1号", "湖北省", "恩施土家族苗族自治州", "恩施市", "舞阳大道1号"),
    ("宁夏银川兴庆区解放西街1号", "宁夏回族自治区", "银川市", "兴庆区", "解放西街1号"),
    ("湖南长沙县星沙大道1号", "湖南省", "长沙市", "长沙县", "星沙大道1号"),
    ("襄樊市樊城区人民路1号", "湖北省", "襄阳市", "樊城区", "人民路1号"),
    ("山东省莱芜市莱城区鲁中大街1号", "山东省", "济南市", "莱芜区", "鲁中大街1号"),
    ("安徽省巢湖市居巢区健康路1号", "安徽省", "合肥市", "巢湖市", "健康路1号"),
    ("上海市 上海市 闸北区 共和新路1号", "上海市", "上海市", "静安区", "共和新路1号"),
    ("广东省中山市石岐街道1号", "广东省", "中山市", "", "石岐街道1号"),
    ("甘肃省嘉峪关市新华中路1号", "甘肃省", "嘉峪关市", "", "新华中路1号"),
    ("海南省儋州市那大镇1号", "海南省", "儋州市", "", "那大镇1号"),
    ("新疆维吾尔自治区 石河子市 北京路1号", "新疆维吾尔自治区", "石河子市", "", "北京路1号"),
    ("重庆 重庆市 城口县 葛城街道1号", "重庆市", "重庆市", "城口县", "葛城街道1号"),
]


@pytest.mark.parametrize("text, province, city, district, detail", HARD_CASES)
def test_hard_cases(parser, text, province, city, district, detail):
    got = parser.parse(text)

    assert (got.province, got.city, got.district, got.detail) == (province, city, district, detail)
    assert got.complete


def test_parse_many_equals_parse_one_by_one(parser):
    texts = [case[0] for case in HARD_CASES] + ["", "文三路90号"]

    assert parser.parse_many(texts) == [parser.parse(t) for t in texts]


def test_taobao_export_form_with_postcode(parser):
    got = parser.parse("浙江省 杭州市 西湖区 文三路90号 (310012)")

    assert (got.province, got.city, got.district, got.detail, got.postcode, got.adcode) == (
        "浙江省",
        "杭州市",
        "西湖区",
        "文三路90号",
        "310012",
        "330106",
    )
    assert got.raw == "浙江省 杭州市 西湖区 文三路90号 (310012)"


@pytest.mark.parametrize(
    "text", ["浙江省杭州市西湖区文三路90号（310012）", "浙江省杭州市西湖区文三路90号(310012)"]
)
def test_postcode_in_any_parentheses(parser, text):
    got = parser.parse(text)

    assert (got.detail, got.postcode) == ("文三路90号", "310012")


@pytest.mark.parametrize(
    "text", ["浙江省 杭州市 西湖区 文三路90号 (000000)", "浙江省 杭州市 西湖区 文三路90号 000000"]
)
def test_placeholder_postcode_is_dropped(parser, text):
    got = parser.parse(text)

    assert (got.detail, got.postcode) == ("文三路90号", "")


def test_municipality_repeats_the_province_as_city(parser):
    got = parser.parse("北京 北京市 朝阳区 建国路88号")

    assert (got.province, got.city, got.district, got.adcode) == ("北京市", "北京市", "朝阳区", "110105")


def test_county_level_city_under_the_province_goes_in_city(parser):
    got = parser.parse("湖北省 省直辖县级行政区划 仙桃市 干河街道1号")

    assert (got.province, got.city, got.district, got.detail, got.adcode) == (
        "湖北省",
        "仙桃市",
        "",
        "干河街道1号",
        "429004",
    )
    assert got.complete


def test_city_without_districts_is_complete(parser):
    got = parser.parse("广东省东莞市东城街道1号")

    assert (got.district, got.adcode, got.complete) == ("", "441900", True)


def test_missing_district_is_not_complete(parser):
    got = parser.parse("浙江省杭州市文三路90号")

    assert (got.province, got.city, got.district, got.detail) == ("浙江省", "杭州市", "", "文三路90号")
    assert (got.adcode, got.complete) == ("", False)


def test_nothing_recognised_keeps_the_whole_text_as_detail(parser):
    got = parser.parse("文三路90号")

    assert (got.province, got.city, got.district, got.detail, got.complete) == (
        "",
        "",
        "",
        "文三路90号",
        False,
    )


@pytest.mark.parametrize("text", ["", None, "   "])
def test_empty_address(parser, text):
    got = parser.parse(text)

    assert (got.raw, got.province, got.detail, got.complete) == ("", "", "", False)


def test_region_retyped_in_the_street_field_is_dropped(parser):
    got = parser.parse("浙江省 杭州市 西湖区 浙江省杭州市西湖区文三路90号")

    assert got.detail == "文三路90号"


def test_legacy_name_in_a_street_far_from_the_start_is_left_alone(parser):
    got = parser.parse("湖北省襄阳市樊城区人民路1号襄阳大厦对面原襄樊市第一百货")

    assert got.detail == "人民路1号襄阳大厦对面原襄樊市第一百货"


# --- pasted blobs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "blob, expected",
    [
        (
            "张三 13812345678 浙江省杭州市西湖区文三路90号",
            ("张三", "13812345678", "浙江省杭州市西湖区文三路90号"),
        ),
        (
            "浙江省杭州市西湖区文三路90号 张三 13812345678",
            ("张三", "13812345678", "浙江省杭州市西湖区文三路90号"),
        ),
        (
            "收货人：张三，手机：13812345678，地址：浙江省杭州市西湖区文三路90号",
            ("张三", "13812345678", "浙江省杭州市西湖区文三路90号"),
        ),
        (
            "收货人: 张三\n手机号码: 138****5678\n所在地区: 浙江省 杭州市 西湖区\n详细地址: 文三路90号",
            ("张三", "138****5678", "浙江省 杭州市 西湖区 文三路90号"),
        ),
        (
            "四川省 成都市 武侯区 天府大道北段1700号 王五 13912345678",
            ("王五", "13912345678", "四川省 成都市 武侯区 天府大道北段1700号"),
        ),
        ("李四13912345678广东省深圳市南山区科技园", ("李四", "13912345678", "广东省深圳市南山区科技园")),
        (
            "王五，13800000000-1234，北京市朝阳区建国路88号",
            ("王五", "13800000000-1234", "北京市朝阳区建国路88号"),
        ),
        ("张三浙江省杭州市西湖区文三路90号", ("张三", "", "浙江省杭州市西湖区文三路90号")),
        ("浙江省杭州市西湖区文三路90号", ("", "", "浙江省杭州市西湖区文三路90号")),
        ("", ("", "", "")),
    ],
)
def test_split_receiver_blob(parser, blob, expected):
    assert split_receiver_blob(blob, parser) == expected


def test_chongqing_districts_missing_from_the_library_are_supplemented():
    p = AddressParser()

    a = p.parse("重庆市 重庆市 渝北区 金开大道1号")
    b = p.parse("重庆 江北区 观音桥步行街5号")

    assert (a.province, a.city, a.district, a.detail, a.adcode, a.complete) == (
        "重庆市", "重庆市", "渝北区", "金开大道1号", "500112", True)
    assert (b.district, b.detail, b.adcode) == ("江北区", "观音桥步行街5号", "500105")

"""Reference codes loaded by the migrations (REFERENCE §12)."""

import pytest

from wenxiao.catalog.models import EconomicClass, FunctionClass

pytestmark = pytest.mark.django_db

# REFERENCE §12.1, as written there.
REFERENCE_CLASSES = {
    "201": "一般公共服务支出",
    "202": "外交支出",
    "203": "国防支出",
    "204": "公共安全支出",
    "205": "教育支出",
    "206": "科学技术支出",
    "207": "文化旅游体育与传媒支出",
    "208": "社会保障和就业支出",
    "209": "社会保险基金支出",
    "210": "卫生健康支出",
    "211": "节能环保支出",
    "212": "城乡社区支出",
    "213": "农林水支出",
    "214": "交通运输支出",
    "215": "资源勘探工业信息等支出",
    "216": "商业服务业等支出",
    "217": "金融支出",
    "219": "援助其他地区支出",
    "220": "自然资源海洋气象等支出",
    "221": "住房保障支出",
    "222": "粮油物资储备支出",
    "223": "国有资本经营预算支出",
    "224": "灾害防治及应急管理支出",
    "227": "预备费",
    "229": "其他支出",
    "230": "转移性支出",
    "231": "债务还本支出",
    "232": "债务付息支出",
    "233": "债务发行费用支出",
    "234": "抗疫特别国债安排的支出",
}


def test_every_function_class_of_the_reference_is_loaded():
    loaded = dict(FunctionClass.objects.filter(level=1).values_list("code", "name"))
    assert {code: loaded.get(code) for code in REFERENCE_CLASSES} == REFERENCE_CLASSES


@pytest.mark.parametrize("cls", ["205", "210", "208", "213", "212", "214", "211", "207", "201"])
def test_kuan_and_xiang_for_the_main_classes(cls):
    assert FunctionClass.objects.filter(code__startswith=cls, level=2).count() >= 3
    assert FunctionClass.objects.filter(code__startswith=cls, level=3).count() >= 5


def test_tree_is_consistent():
    for fc in FunctionClass.objects.exclude(level=1).select_related("parent"):
        assert fc.parent and fc.code.startswith(fc.parent.code) and fc.parent.level == fc.level - 1


def test_economic_classes_of_both_schemes():
    assert EconomicClass.objects.get(code="30227").name == "委托业务费"
    assert EconomicClass.objects.get(code="302").scheme == "dept"
    assert EconomicClass.objects.get(code="501").name == "机关工资福利支出"
    assert EconomicClass.objects.filter(scheme="gov", level=1).count() == 15

"""Plausible people and companies of one county, with identifiers that pass the hub's validators.

Everything is drawn from the `random.Random` the caller passes, so a seed gives the same people
every run. Nothing here is real: names are combined from common characters and the sequence
parts of the identifiers are random.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final

from schemas.identifiers import (
    USCC_ALPHABET,
    org_code_check_char,
    resident_id_check_char,
    uscc_check_char,
)

if TYPE_CHECKING:
    import random

_SURNAMES: Final = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于"
    "董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
_COMPOUND_SURNAMES: Final = ("欧阳", "司马", "上官", "诸葛")
_GIVEN_CHARS: Final = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅新建文斌浩宇子涵欣怡梓轩"
    "佳琪雨桐俊杰晓东海燕振华国强春梅金凤德胜永福建军立新卫东"
)
_SHOP_NAMES: Final = (
    "鑫源",
    "华泰",
    "宏达",
    "金盛",
    "恒通",
    "永兴",
    "福瑞",
    "润丰",
    "中原",
    "鼎盛",
    "兴旺",
    "天成",
    "隆昌",
    "佳禾",
    "瑞康",
    "安泰",
    "祥和",
    "联创",
    "豫丰",
    "盛世",
)
_TRADES: Final = (
    "商贸",
    "建筑工程",
    "农业科技",
    "食品",
    "物流",
    "建材",
    "机械制造",
    "置业",
    "纺织",
    "电子科技",
    "餐饮管理",
    "化工",
    "汽车销售",
    "种植专业合作社",
    "钢结构",
)
_COUNTY_NAMES: Final = {"411121": "舞阳县", "411100": "漯河市", "411102": "漯河市源汇区"}
# New-style organisation codes assigned with a USCC start with MA (GB 32100 roll-out).
_ORG_CODE_CHARS: Final = "".join(char for char in USCC_ALPHABET if char.isdigit() or char.isupper())
_OLDEST_BIRTH: Final = dt.date(1950, 1, 1)
_YOUNGEST_BIRTH: Final = dt.date(2004, 12, 31)


def resident_id(rng: random.Random, region: str = "411121") -> str:
    """An 18-character resident ID number (GB 11643) registered in `region`, check digit valid."""
    span = (_YOUNGEST_BIRTH - _OLDEST_BIRTH).days
    born = _OLDEST_BIRTH + dt.timedelta(days=rng.randrange(span + 1))
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(1, 1000):03d}"
    return first17 + resident_id_check_char(first17)


def credit_code(rng: random.Random, region: str = "411121") -> str:
    """A unified social credit code (GB 32100) of a company registered in `region` (工商, 企业)."""
    first8 = "MA" + "".join(rng.choice(_ORG_CODE_CHARS) for _ in range(6))
    first17 = f"91{region}{first8}{org_code_check_char(first8)}"
    return first17 + uscc_check_char(first17)


def person_name(rng: random.Random) -> str:
    """A Chinese personal name: a surname and one or two given-name characters."""
    surname = rng.choice(_COMPOUND_SURNAMES) if rng.random() < 0.02 else rng.choice(_SURNAMES)
    given = "".join(rng.choice(_GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
    return surname + given


def company_name(rng: random.Random, region: str = "411121") -> str:
    """A company name as registered in the county: 舞阳县鑫源商贸有限公司."""
    place = _COUNTY_NAMES.get(region, "")
    trade = rng.choice(_TRADES)
    form = (
        "" if trade.endswith("合作社") else rng.choice(("有限公司", "有限责任公司", "股份有限公司"))
    )
    return f"{place}{rng.choice(_SHOP_NAMES)}{trade}{form}"

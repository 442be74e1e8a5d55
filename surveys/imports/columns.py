"""The tables a result workbook may hold, each on its own sheet, and the headers that identify them.

Aliases are compared after NFKC, case folding and removing all spaces; the first alias is the
header the template writes and messages show. The underscore forms are listed separately
because an underscore is not a space.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from dealership_cs.spreadsheets import Column

ITEMS, SCORES, TARGETS = "items", "scores", "targets"

_PROGRAM = Column("program", ("项目", "program", "考核项目", "program_code", "program code"), required=True)
_PERIOD = Column("period", ("期间", "period", "周期", "考核期间"), required=True)
_REGIONAL = Column("regional_avg", ("区域平均", "regional_avg", "regional average", "区域平均分", "regional"))
_SAMPLE = Column("sample_n", ("样本量", "sample_n", "样本数", "sample size", "sample"))

SCORE_COLUMNS: tuple[Column, ...] = (
    _PROGRAM,
    _PERIOD,
    Column("score", ("得分", "score", "经销商得分", "dealer score", "dealer_score"), required=True),
    _REGIONAL,
    Column("national_avg", ("全国平均", "national_avg", "national average", "全国平均分", "national")),
    Column("rank", ("排名", "rank", "区域排名")),
    Column("dealers", ("参评经销商数", "dealers", "经销商数", "参评店数", "dealers ranked")),
    _SAMPLE,
)

ITEM_COLUMNS: tuple[Column, ...] = (
    _PROGRAM,
    _PERIOD,
    Column("item_code", ("项目代码", "item_code", "指标代码", "item code", "item"), required=True),
    Column("score", ("得分", "score", "经销商得分", "dealer score", "dealer_score"), required=True),
    _REGIONAL,
    _SAMPLE,
)

TARGET_COLUMNS: tuple[Column, ...] = (
    _PROGRAM,
    Column("year", ("年度", "year", "年份"), required=True),
    Column("target_score", ("目标得分", "target_score", "target score", "目标分")),
    Column("target_rank", ("目标排名", "target_rank", "target rank")),
)

# An item sheet also has the score sheet's required columns, so item columns are tried first.
TABLES: dict[str, tuple[Column, ...]] = {ITEMS: ITEM_COLUMNS, SCORES: SCORE_COLUMNS, TARGETS: TARGET_COLUMNS}


def table_labels() -> dict[str, str]:
    """The tables as messages name them, in the active language."""
    return {SCORES: _("scores"), ITEMS: _("item scores"), TARGETS: _("targets")}

"""Demo official scores: DOMAIN.md's 2010 tables, the 2011 targets and 2011 results so far.

Everything goes in as the department would put it in: one result workbook, read by the real
import (``score_import``). Loading again changes nothing: the file is checked first with a dry
run and imported only when it would create or update something.
"""

from __future__ import annotations

import io

from dealership_cs.spreadsheets.writer import ExportWorkbook
from surveys.imports import ITEM_COLUMNS, SCORE_COLUMNS, TARGET_COLUMNS, score_import

FILE_NAME = "厂家成绩-演示.xlsx"

# DOMAIN.md, 2010 sales SSI (quarters; rank of 39).
SSI_2010 = {1: (843, 878, 35), 2: (830, 890.7, 37), 3: (867, 887.7, 26), 4: (958, 903, 12)}
SSI_2010_DEALERS = 39

# DOMAIN.md, 2010 service MOT (months 2-12; month 1 had no survey; rank of 54) and the official year.
MOT_2010 = {
    2: (81, 81, 20),
    3: (74.8, 82.4, 38),
    4: (80.5, 80.3, 26),
    5: (82.1, 81.3, 24),
    6: (78.7, 81.1, 26),
    7: (82.4, 79, 18),
    8: (85.9, 80.9, 17),
    9: (79.8, 81.6, 28),
    10: (84.2, 82.3, 27),
    11: (94.8, 87.3, 13),
    12: (84.5, 84.5, 25),
}
MOT_2010_YEAR = (82.2, 82.0, 22)
MOT_DEALERS = 54

# DOMAIN.md, 2010 MOT item scores for the year: dealer, regional.
MOT_ITEMS_2010 = {
    "8C2": (82.1, 81),
    "9A1": (83.9, 84.1),
    "9A6": (81.8, 81.4),
    "11.1": (86.3, 86),
    "11.11": (81.4, 83.3),
    "11.12": (78.6, 78.6),
    "11.13": (79.3, 79.4),
    "12B.1": (79.3, 76.1),
}

# DOMAIN.md, 2011 targets: program -> (score, rank).
TARGETS_2011 = {"SSI": (960, 10), "CSS": (96, 15), "MS_SALES": (90, None), "MS_SERVICE": (85, None)}

# 2011 so far (invented, plausible): SSI Q1-Q3 of 40 dealers; MOT months 1-10 with their surveys;
# the mystery shopper's first three quarters.
SSI_2011 = {1: (948, 905.3, 12), 2: (957, 910.2, 10), 3: (962, 912.6, 8)}
SSI_2011_DEALERS = 40
MOT_2011 = {  # month: (dealer, regional, rank, surveys)
    1: (92.1, 84.0, 16, 38),
    2: (93.4, 83.6, 14, 41),
    3: (94.8, 84.8, 12, 47),
    4: (95.2, 85.2, 11, 52),
    5: (96.3, 85.9, 9, 49),
    6: (95.7, 85.1, 10, 55),
    7: (96.8, 86.0, 8, 58),
    8: (97.1, 86.4, 7, 53),
    9: (96.4, 86.2, 8, 50),
    10: (97.5, 87.0, 6, 57),
}
MYSTERY_2011 = {
    "MS_SALES": {1: (86.5, 83.2), 2: (88.0, 84.0), 3: (91.5, 84.6)},
    "MS_SERVICE": {1: (80.0, 79.4), 2: (83.5, 80.1), 3: (86.0, 81.2)},
}
# 2011 MOT items for the last two months: the 2010 weak spots improved least.
MOT_ITEMS_2011_GAIN = {"8C2": 12, "9A1": 11, "9A6": 13, "11.1": 9, "11.11": 8, "11.12": 14, "11.13": 10, "12B.1": 15}
MOT_ITEMS_2011_MONTHS = (9, 10)


def _score_rows() -> list[dict[str, object]]:
    rows = [
        {
            "program": "SSI",
            "period": f"2010-Q{q}",
            "score": s,
            "regional_avg": r,
            "rank": k,
            "dealers": SSI_2010_DEALERS,
        }
        for q, (s, r, k) in SSI_2010.items()
    ]
    rows += [
        {"program": "CSS", "period": f"2010-{m:02d}", "score": s, "regional_avg": r, "rank": k, "dealers": MOT_DEALERS}
        for m, (s, r, k) in MOT_2010.items()
    ]
    score, regional, rank = MOT_2010_YEAR
    rows.append(
        {
            "program": "CSS",
            "period": "2010",
            "score": score,
            "regional_avg": regional,
            "rank": rank,
            "dealers": MOT_DEALERS,
        }
    )
    rows += [
        {
            "program": "SSI",
            "period": f"2011-Q{q}",
            "score": s,
            "regional_avg": r,
            "rank": k,
            "dealers": SSI_2011_DEALERS,
        }
        for q, (s, r, k) in SSI_2011.items()
    ]
    rows += [
        {
            "program": "CSS",
            "period": f"2011-{m:02d}",
            "score": s,
            "regional_avg": r,
            "rank": k,
            "dealers": MOT_DEALERS,
            "sample_n": n,
        }
        for m, (s, r, k, n) in MOT_2011.items()
    ]
    for code, quarters in MYSTERY_2011.items():
        rows += [
            {"program": code, "period": f"2011-Q{q}", "score": s, "regional_avg": r} for q, (s, r) in quarters.items()
        ]
    return rows


def _item_rows() -> list[dict[str, object]]:
    rows = [
        {"program": "CSS", "period": "2010", "item_code": code, "score": score, "regional_avg": regional}
        for code, (score, regional) in MOT_ITEMS_2010.items()
    ]
    for month in MOT_ITEMS_2011_MONTHS:
        for code, (score, regional) in MOT_ITEMS_2010.items():
            dealer = min(100, round(score + MOT_ITEMS_2011_GAIN[code] + (month - 9) * 0.4, 1))
            rows.append(
                {
                    "program": "CSS",
                    "period": f"2011-{month:02d}",
                    "item_code": code,
                    "score": dealer,
                    "regional_avg": round(regional + 4.5, 1),
                    "sample_n": MOT_2011[month][3],
                }
            )
    return rows


def _target_rows() -> list[dict[str, object]]:
    return [
        {"program": code, "year": 2011, "target_score": score, "target_rank": rank}
        for code, (score, rank) in TARGETS_2011.items()
    ]


def workbook_bytes() -> bytes:
    """The demo result workbook: three sheets as the department keeps them, a title above the scores.

    Written by the one export writer like every workbook the project makes, so the demo input is
    exactly what a user gets back from the template or a rejected-rows download.
    """
    book = ExportWorkbook()
    sheets = (
        ("成绩", SCORE_COLUMNS, _score_rows(), "2010–2011 年厂家考核成绩"),
        ("单项得分", ITEM_COLUMNS, _item_rows(), None),
        ("目标", TARGET_COLUMNS, _target_rows(), None),
    )
    for title, columns, rows, banner in sheets:
        sheet = book.sheet(title)
        if banner:
            sheet.append([banner])
            sheet.append([])
        sheet.append([column.label for column in columns])
        for row in rows:
            sheet.append([row.get(column.key) for column in columns])
    return book.to_bytes()


def load() -> str:
    data = workbook_bytes()
    check = score_import(source=io.BytesIO(data), file_name=FILE_NAME, dry_run=True)
    if not check.created and not check.updated:
        return f"scores already loaded (unchanged={check.unchanged} rejected={check.rejected})"
    result = score_import(source=io.BytesIO(data), file_name=FILE_NAME)
    return (
        f"scores created={result.created} updated={result.updated} unchanged={result.unchanged} "
        f"rejected={result.rejected} (score import #{result.batch.pk})"
    )

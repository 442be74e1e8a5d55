"""DOMAIN.md's 2010 tables, and loaders that store them through the services (shared by the tests)."""

from __future__ import annotations

from surveys.models import ANNUAL, Program
from surveys.services import item_score_save, score_save

SSI_2010 = [  # quarter, dealer, regional, rank of 39
    (1, "843", "878", 35),
    (2, "830", "890.7", 37),
    (3, "867", "887.7", 26),
    (4, "958", "903", 12),
]
MOT_2010 = {  # month: (regional, dealer, rank of 54); month 1 had no survey
    2: ("81", "81", 20),
    3: ("82.4", "74.8", 38),
    4: ("80.3", "80.5", 26),
    5: ("81.3", "82.1", 24),
    6: ("81.1", "78.7", 26),
    7: ("79", "82.4", 18),
    8: ("80.9", "85.9", 17),
    9: ("81.6", "79.8", 28),
    10: ("82.3", "84.2", 27),
    11: ("87.3", "94.8", 13),
    12: ("84.5", "84.5", 25),
}
MOT_ITEMS_2010 = {  # code: (dealer, regional), the full-year item table
    "8C2": ("82.1", "81"),
    "9A1": ("83.9", "84.1"),
    "9A6": ("81.8", "81.4"),
    "11.1": ("86.3", "86"),
    "11.11": ("81.4", "83.3"),
    "11.12": ("78.6", "78.6"),
    "11.13": ("79.3", "79.4"),
    "12B.1": ("79.3", "76.1"),
}


def load_ssi_2010(quarters=(1, 2, 3, 4)) -> Program:
    ssi = Program.objects.get(code="SSI")
    for quarter, score, regional, rank in SSI_2010:
        if quarter in quarters:
            values = {"score": score, "regional_avg": regional, "rank": rank, "dealers": 39}
            score_save(program=ssi, period=ssi.period(2010, quarter), values=values)
    return ssi


def load_mot_items_2010() -> Program:
    css = Program.objects.get(code="CSS")
    catalogue = {item.code: item for item in css.items.filter(year=2010)}
    for code, (dealer, regional) in MOT_ITEMS_2010.items():
        item_score_save(
            program=css,
            period=css.period(2010, ANNUAL),
            item=catalogue[code],
            values={"score": dealer, "regional_avg": regional},
        )
    return css


def load_mot_2010(*, items: bool = True, official_year: bool = False) -> Program:
    css = Program.objects.get(code="CSS")
    for month, (regional, dealer, rank) in MOT_2010.items():
        values = {"score": dealer, "regional_avg": regional, "rank": rank, "dealers": 54}
        score_save(program=css, period=css.period(2010, month), values=values)
    if official_year:
        values = {"score": "82.2", "regional_avg": "82.0", "rank": 22, "dealers": 54}
        score_save(program=css, period=css.period(2010, ANNUAL), values=values)
    if items:
        load_mot_items_2010()
    return css

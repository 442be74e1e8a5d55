"""The one set of validators for official-score values: forms, the API and the import use them.

Each ``parse_*`` takes a raw value as a form (text) or a spreadsheet cell (python-calamine gives
floats for numbers) delivers it and returns the canonical value, ``None`` when empty, or raises
``ValidationError`` saying why. Whether a value is required is the caller's decision.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SCORE_PLACES = Decimal("0.01")
SAMPLE_MAX = 1_000_000
DEALERS_MAX = 10_000
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_SUFFIXES = ("分", "名", "家", "份", "个")


def _text(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")


def _shown(value: object) -> str:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: object) -> Decimal | None:
    """A finite Decimal from a cell or text (full-width digits, thousands commas, a 分 suffix)."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise ValidationError(_("“%(value)s” is not a number."), code="number", params={"value": _shown(value)})
    if isinstance(value, float | int):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(_("“%(value)s” is not a number."), code="number", params={"value": _shown(value)})
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if isinstance(value, Decimal):
        number = value
    else:
        text = _text(value)
        if not text:
            return None
        for suffix in _SUFFIXES:
            text = text.removesuffix(suffix)
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                _("“%(value)s” is not a number."), code="number", params={"value": _shown(value)}
            ) from None
    if not number.is_finite():
        raise ValidationError(_("“%(value)s” is not a number."), code="number", params={"value": _shown(value)})
    return number


def parse_score(value: object, *, scale_max: Decimal) -> Decimal | None:
    """A score on a 0–``scale_max`` scale, rounded half-up to two decimals."""
    number = _number(value)
    if number is None:
        return None
    if number < 0 or number > scale_max:
        raise ValidationError(
            _("“%(value)s” is outside this program's scale (0 to %(max)s)."),
            code="score_scale",
            params={"value": _shown(value), "max": _shown(float(scale_max))},
        )
    return number.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def _whole(value: object, *, minimum: int, maximum: int, what) -> int | None:
    number = _number(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValidationError(
            _("“%(value)s” is not a whole number."), code="whole_number", params={"value": _shown(value)}
        )
    if not minimum <= number <= maximum:
        raise ValidationError(
            _("“%(value)s”: %(what)s must be between %(min)s and %(max)s."),
            code="whole_number_range",
            params={"value": _shown(value), "what": what, "min": minimum, "max": maximum},
        )
    return int(number)


def parse_rank(value: object) -> int | None:
    return _whole(value, minimum=1, maximum=DEALERS_MAX, what=_("a rank"))


def parse_dealers(value: object) -> int | None:
    return _whole(value, minimum=1, maximum=DEALERS_MAX, what=_("the number of dealers"))


def parse_sample(value: object) -> int | None:
    return _whole(value, minimum=1, maximum=SAMPLE_MAX, what=_("a sample size"))


def parse_percent(value: object) -> Decimal | None:
    """A phasing percentage (of the annual target), above 0 and at most 200, two decimals."""
    number = _number(value)
    if number is None:
        return None
    if not Decimal(0) < number <= Decimal(200):
        raise ValidationError(
            _("“%(value)s”: a phasing percentage must be above 0 and at most 200."),
            code="percent_range",
            params={"value": _shown(value)},
        )
    return number.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def check_rank_within_dealers(rank: int | None, dealers: int | None) -> None:
    """A rank of N needs N: a rank above the number of dealers ranked is refused."""
    if rank is not None and dealers is not None and rank > dealers:
        raise ValidationError(
            _("The rank %(rank)s is above the number of dealers ranked (%(dealers)s)."),
            code="rank_above_dealers",
            params={"rank": rank, "dealers": dealers},
        )


def normalise_code(value: object) -> str:
    """Program and item codes as typed: NFKC, no spaces, upper case (item codes keep their dots)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value):
        # An item code such as 11.1 read from a number cell arrives as the float 11.1.
        text = repr(value)
    else:
        text = str(value)
    return _text(text).upper()


SCORE_FIELDS = ("score", "regional_avg", "national_avg", "rank", "dealers", "sample_n")
ITEM_SCORE_FIELDS = ("score", "regional_avg", "sample_n")


def clean_score_values(raw: dict[str, object], *, scale_max: Decimal, fields=SCORE_FIELDS) -> dict[str, object]:
    """A period's score values parsed and cross-checked; ValidationError keyed by field otherwise.

    The dealer score is required; everything else is optional. Missing keys count as empty.
    """
    parsers = {
        "score": lambda v: parse_score(v, scale_max=scale_max),
        "regional_avg": lambda v: parse_score(v, scale_max=scale_max),
        "national_avg": lambda v: parse_score(v, scale_max=scale_max),
        "rank": parse_rank,
        "dealers": parse_dealers,
        "sample_n": parse_sample,
    }
    values: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    for name in fields:
        try:
            values[name] = parsers[name](raw.get(name))
        except ValidationError as exc:
            errors[name] = exc.messages
    if "score" not in errors and values.get("score") is None:
        errors["score"] = [str(_("The dealer score is required."))]
    if not errors and "rank" in fields:
        try:
            check_rank_within_dealers(values.get("rank"), values.get("dealers"))
        except ValidationError as exc:
            errors["rank"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return values


def clean_item_score_values(raw: dict[str, object], *, scale_max: Decimal) -> dict[str, object]:
    return clean_score_values(raw, scale_max=scale_max, fields=ITEM_SCORE_FIELDS)

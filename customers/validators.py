"""Validators and normalisers for customer data.

Forms, DRF serializers and every spreadsheet importer go through these
functions, so a value the importer accepts is exactly a value the form
accepts, and both store it in the same canonical form.

Each ``normalize_*`` / ``parse_*`` function takes a raw value as it arrives
from a form (text) or from a spreadsheet cell read by python-calamine (float
for numeric cells, ``date``/``datetime`` for date cells, text otherwise) and
returns the canonical value, or raises ``ValidationError`` whose message says
*why* the value was refused. Empty input (``None``, ``""``, whitespace) gives
``""`` (``None`` for dates and amounts): whether a field is required is the
caller's decision.

The ``validate_*`` callables wrap the normalisers for use as model-field
validators.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from operator import mul

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

__all__ = [
    "AMOUNT_LIMIT",
    "CHINA_TZ",
    "INVOICE_MAX_DIGITS",
    "INVOICE_MIN_DIGITS",
    "NAME_MAX_LENGTH",
    "PHONE_MAX_LENGTH",
    "PLATE_MAX_LENGTH",
    "VIN_LENGTH",
    "clean_name",
    "name_key",
    "normalize_invoice_number",
    "normalize_name",
    "normalize_phone",
    "normalize_plate",
    "normalize_vin",
    "RECORD_FIRST_YEAR",
    "RECORD_LAST_YEAR",
    "parse_amount",
    "parse_date",
    "parse_datetime_value",
    "parse_record_date",
    "parse_record_datetime",
    "phone_last4",
    "validate_invoice_number",
    "validate_phone",
    "validate_plate",
    "validate_record_date",
    "validate_vin",
    "vin_check_digit",
    "vin_with_check_digit",
]


# --------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------

# Long values are cut in messages so one bad cell cannot flood an import report.
_SHOWN_MAX = 40

# Excel keeps only 15 significant digits in a numeric cell: anything longer
# had digits replaced by zeros before we ever see it.
_SPREADSHEET_DIGITS = 15

# How a whole number stored as a float looks once it has been turned into
# text somewhere on the way: "13812345678.0" or "1.3812345678E10".
_SPREADSHEET_NUMBER = re.compile(r"[0-9]+\.0+|[0-9]+(?:\.[0-9]+)?[eE]\+?[0-9]+", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"


def _shown(value: object) -> str:
    """The value as the user should see it quoted in an error message."""
    text = repr(value) if isinstance(value, float) else str(value)
    text = text.strip()
    if len(text) > _SHOWN_MAX:
        text = text[: _SHOWN_MAX - 1] + "…"
    return text


def _error(message: str | Promise, code: str, value: object, **params: object) -> ValidationError:
    return ValidationError(message, code=code, params={"value": _shown(value), **params})


def _nfkc(value: object) -> str:
    # NFKC folds the full-width digits, letters and punctuation that Chinese
    # input methods produce into ASCII.
    return unicodedata.normalize("NFKC", str(value)).strip()


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_number(value: object) -> bool:
    # bool is an int subclass, but a True/False cell is never a number to us.
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _exact_decimal(value: float | Decimal) -> Decimal:
    # repr() is the shortest text that round-trips, i.e. what the user saw
    # in the cell; Decimal(float) would expose binary noise instead.
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _whole_number_text(number: Decimal) -> str | None:
    """The number written as an integer, or None if it is not a whole number."""
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return str(int(number))


# --------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------

_PHONE_NOT_DIGITS = _(
    "“%(value)s” is not a valid phone number: it may only contain digits, "
    "spaces, dashes, parentheses and a leading +86."
)
_PHONE_SEVERAL = _("“%(value)s” is not a valid phone number: it looks like more than one number; enter only one.")
_PHONE_FOREIGN = _("“%(value)s” is not a valid phone number: only Chinese numbers (+86) are accepted.")
_PHONE_NOT_WHOLE = _("“%(value)s” is not a valid phone number: it is not a whole number.")
_PHONE_MOBILE_PREFIX = _("“%(value)s” is not a valid phone number: a mobile number has 11 digits starting 13–19.")
_PHONE_MOBILE_SHORT = ngettext_lazy(
    "“%(value)s” is not a valid phone number: it is too short (%(count)d "
    "digit); a mobile number has 11 digits starting 13–19.",
    "“%(value)s” is not a valid phone number: it is too short (%(count)d "
    "digits); a mobile number has 11 digits starting 13–19.",
    "count",
)
_PHONE_MOBILE_LONG = _(
    "“%(value)s” is not a valid phone number: it is too long (%(count)d "
    "digits); a mobile number has 11 digits starting 13–19."
)
_PHONE_LANDLINE_SHORT = _(
    "“%(value)s” is not a valid phone number: it is too short for a landline "
    "number, which is an area code starting with 0 (e.g. 0534) followed by "
    "7–8 digits."
)
_PHONE_LANDLINE_LONG = _(
    "“%(value)s” is not a valid phone number: it is too long for a landline "
    "number, which is an area code starting with 0 (e.g. 0534) followed by "
    "7–8 digits."
)
_PHONE_LOCAL_PREFIX = _(
    "“%(value)s” is not a valid phone number: the local number after area code %(area)s cannot start with 0."
)
_PHONE_NO_AREA_CODE = _(
    "“%(value)s” is not a valid phone number: a landline number needs its area code, e.g. 0534-2345678."
)
_PHONE_BAD_PREFIX = _(
    "“%(value)s” is not a valid phone number: a mobile number starts with 1 "
    "and a landline number with its area code, which starts with 0."
)

# Longest canonical form: 4-digit area code, dash, 8-digit local number.
PHONE_MAX_LENGTH = 13

_PHONE_SEPARATORS = re.compile(rf"[\s{_DASHES}()]")
_PHONE_LIST_SEPARATORS = re.compile(r"[/,;、|]")
_COUNTRY_CODE_86 = re.compile(rf"\(?86\)?[\s{_DASHES})]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)


def _phone_digits(value: object) -> str:
    """Bare digits of a phone number in domestic form (no country code)."""
    if isinstance(value, bool):
        raise _error(_PHONE_NOT_DIGITS, "phone_not_digits", value)
    if _is_number(value):
        text = _whole_number_text(_exact_decimal(value))
    else:
        text = _nfkc(value)
        if _SPREADSHEET_NUMBER.fullmatch(text):
            text = _whole_number_text(Decimal(text))
    if text is None:
        raise _error(_PHONE_NOT_WHOLE, "phone_not_whole", value)
    if _is_number(value) and text.startswith("-"):
        # Otherwise the minus would pass as one of the dashes people type.
        raise _error(_PHONE_NOT_DIGITS, "phone_not_digits", value)
    if _PHONE_LIST_SEPARATORS.search(text):
        raise _error(_PHONE_SEVERAL, "phone_several", value)

    compact = _PHONE_SEPARATORS.sub("", text)
    international = True
    if compact.startswith("+86"):
        rest = compact[3:]
    elif compact.startswith("+"):
        raise _error(_PHONE_FOREIGN, "phone_foreign", value)
    elif compact.startswith("0086"):
        rest = compact[4:]
    elif _COUNTRY_CODE_86.match(text) or (
        len(compact) == 13 and compact.startswith("86") and _MOBILE.fullmatch(compact[2:])
    ):
        # "86 138…" and the bare 13-digit "86138…" that some CRMs export.
        rest = compact[2:]
    else:
        rest, international = compact, False

    if not _DIGITS.fullmatch(rest):
        raise _error(_PHONE_NOT_DIGITS, "phone_not_digits", value)
    if international and not rest.startswith("0") and not _MOBILE.match(rest):
        # Dialled from abroad a landline drops its trunk 0: +86 534 2345678.
        rest = "0" + rest
    return rest


def normalize_phone(value: object) -> str:
    """Canonical phone number: ``13812345678`` or ``0534-2345678``.

    Mobiles are 11 digits starting 13–19; landlines are an area code (0 plus
    2–3 digits) and a 7–8 digit local number, joined by a dash.
    """
    if value.__class__ is float:
        # Fast path for a mobile number in a numeric cell (every row of a clean export).
        if 1.3e10 <= value < 2e10 and value.is_integer():
            digits = str(int(value))
            if _MOBILE.fullmatch(digits):
                return digits
    elif value.__class__ is str and len(value) == 11 and _MOBILE.fullmatch(value):
        return value
    if _is_empty(value):
        return ""
    digits = _phone_digits(value)

    # Older customers still write the long-distance 0 in front of a mobile.
    if len(digits) == 12 and digits.startswith("0") and _MOBILE.fullmatch(digits[1:]):
        digits = digits[1:]

    if digits.startswith("00"):
        raise _error(_PHONE_FOREIGN, "phone_foreign", value)
    if digits.startswith("0"):
        # Numbering plan: 010 (Beijing) and 02x are 3-digit area codes and all
        # others have 4 digits, so the split never depends on how it was typed.
        area_length = 3 if digits[1:2] in ("1", "2") else 4
        area, local = digits[:area_length], digits[area_length:]
        if len(local) < 7:
            raise _error(_PHONE_LANDLINE_SHORT, "phone_too_short", value)
        if len(local) > 8:
            raise _error(_PHONE_LANDLINE_LONG, "phone_too_long", value)
        # A 0 here is a doubled trunk prefix or a slipped digit, never a number.
        if local.startswith("0"):
            raise _error(_PHONE_LOCAL_PREFIX, "phone_bad_prefix", value, area=area)
        return f"{area}-{local}"
    if digits.startswith("1"):
        if len(digits) >= 2 and digits[1] not in "3456789":
            raise _error(_PHONE_MOBILE_PREFIX, "phone_bad_prefix", value)
        if len(digits) < 11:
            raise _error(_PHONE_MOBILE_SHORT, "phone_too_short", value, count=len(digits))
        if len(digits) > 11:
            raise _error(_PHONE_MOBILE_LONG, "phone_too_long", value, count=len(digits))
        return digits
    if len(digits) in (7, 8):
        raise _error(_PHONE_NO_AREA_CODE, "phone_no_area_code", value)
    raise _error(_PHONE_BAD_PREFIX, "phone_bad_prefix", value)


def phone_last4(phone: object) -> str:
    """Last four digits of a phone number, for "尾号" look-ups and masking.

    Takes raw values too. When the number is invalid, the last four digits of
    whatever was written are used, so legacy rows can still be found.
    """
    try:
        digits = normalize_phone(phone).replace("-", "")
    except ValidationError:
        digits = "".join(_DIGITS.findall(_nfkc(phone)))
    return digits[-4:]


def _require_canonical(value: object, normalised: str) -> None:
    # A stored value must be the normalised one: "138-1234-5678" or a lower-case VIN in the
    # table would slip past the duplicate checks, the unique constraint and the search.
    if value not in ("", None) and normalised != value:
        raise ValidationError(
            _("“%(value)s” must be stored as “%(normalised)s”."),
            code="not_canonical",
            params={"value": _shown(value), "normalised": normalised},
        )


def validate_phone(value: object) -> None:
    """Model-field validator: raises ``ValidationError`` unless a phone number."""
    _require_canonical(value, normalize_phone(value))


# --------------------------------------------------------------------------
# VIN
# --------------------------------------------------------------------------

_VIN_BAD_CHARACTERS = _(
    "“%(value)s” is not a valid VIN: “%(chars)s” cannot appear in a VIN, which has only letters and digits."
)
_VIN_WRONG_LENGTH = _("“%(value)s” is not a valid VIN: a VIN has 17 characters, this has %(count)d.")
_VIN_FORBIDDEN_LETTERS = _(
    "“%(value)s” is not a valid VIN: the letters I, O and Q are never used in "
    "a VIN (they look like 1 and 0), but it contains %(chars)s; check for a "
    "mistyped 1 or 0."
)
_VIN_WRONG_CHECK_DIGIT = _(
    "“%(value)s” is not a valid VIN: its check digit (9th character) is "
    "%(actual)s but should be %(expected)s; check for a mistyped character."
)

VIN_LENGTH = 17
# ISO 3779 / GB 16735 transliteration; I, O and Q have no value because they
# are not allowed.
_VIN_VALUES: dict[str, int] = {
    **{str(digit): digit for digit in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_CHECK_INDEX = 8  # the 9th character
_VIN_WEIGHTS_HEAD = _VIN_WEIGHTS[:_VIN_CHECK_INDEX]
_VIN_WEIGHTS_TAIL = _VIN_WEIGHTS[_VIN_CHECK_INDEX + 1 :]
_NOT_VIN_CHARACTER = re.compile(r"[^A-Za-z0-9]", re.ASCII)


def vin_check_digit(vin: str) -> str:
    """The ISO 3779 check digit (``"0"``–``"9"`` or ``"X"``) for a 17-char VIN.

    The current 9th character is ignored, so a placeholder may stand there.
    Raises ``ValueError`` for a wrong length or a character with no value.
    """
    vin = vin.upper()
    if len(vin) != VIN_LENGTH:
        raise ValueError(f"a VIN has {VIN_LENGTH} characters, got {len(vin)}: {vin!r}")
    try:
        # The 9th character's weight is 0; it is left out so a placeholder may stand there.
        total = sum(map(mul, map(_VIN_VALUES.__getitem__, vin[:_VIN_CHECK_INDEX]), _VIN_WEIGHTS_HEAD)) + sum(
            map(mul, map(_VIN_VALUES.__getitem__, vin[_VIN_CHECK_INDEX + 1 :]), _VIN_WEIGHTS_TAIL)
        )
    except KeyError:
        for index, char in enumerate(vin):
            if index != _VIN_CHECK_INDEX and char not in _VIN_VALUES:
                raise ValueError(f"{char!r} cannot appear in a VIN: {vin!r}") from None
        raise
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def vin_with_check_digit(vin17: str) -> str:
    """The VIN, upper-cased, with its 9th character set to the right check digit."""
    vin17 = vin17.upper()
    return vin17[:_VIN_CHECK_INDEX] + vin_check_digit(vin17) + vin17[_VIN_CHECK_INDEX + 1 :]


def _vin_characters(value: object) -> str:
    vin = "".join(unicodedata.normalize("NFKC", str(value)).split())
    # Characters are checked before upper-casing because "ß".upper() is "SS".
    bad = dict.fromkeys(_NOT_VIN_CHARACTER.findall(vin))
    if bad:
        raise _error(_VIN_BAD_CHARACTERS, "vin_bad_characters", value, chars="".join(bad))
    return vin


def normalize_vin(value: object, *, verify_check_digit: bool = True) -> str:
    """Canonical VIN: 17 upper-case characters with a correct check digit.

    ``verify_check_digit=False`` is an escape hatch for imports from makers
    that leave the check digit unused (some European brands); form and import
    paths keep the default.
    """
    if value.__class__ is str and len(value) == VIN_LENGTH and value.isascii() and value.isalnum() and value.isupper():
        # Fast path for the canonical form (every row of a clean export): the same checks as
        # below, minus the normalisation that cannot change such a value.
        vin = value
    else:
        if _is_empty(value):
            return ""
        vin = _vin_characters(value).upper()
        if len(vin) != VIN_LENGTH:
            raise _error(_VIN_WRONG_LENGTH, "vin_length", value, count=len(vin))
    if "I" in vin or "O" in vin or "Q" in vin:
        forbidden = dict.fromkeys(char for char in vin if char in "IOQ")
        raise _error(_VIN_FORBIDDEN_LETTERS, "vin_forbidden_letters", value, chars=", ".join(forbidden))
    expected = vin_check_digit(vin)
    if verify_check_digit and vin[_VIN_CHECK_INDEX] != expected:
        raise _error(
            _VIN_WRONG_CHECK_DIGIT,
            "vin_check_digit",
            value,
            actual=vin[_VIN_CHECK_INDEX],
            expected=expected,
        )
    return vin


def validate_vin(value: object) -> None:
    """Model-field validator: raises ``ValidationError`` unless a valid VIN."""
    _require_canonical(value, normalize_vin(value))


# --------------------------------------------------------------------------
# Licence plates
# --------------------------------------------------------------------------

_PLATE_PROVINCE = _(
    "“%(value)s” is not a valid plate number: it must start with a province abbreviation such as 鲁 or 京."
)
_PLATE_WRONG_LENGTH = _(
    "“%(value)s” is not a valid plate number: an ordinary plate has 7 "
    "characters and a new-energy plate 8, this has %(count)d."
)
_PLATE_OFFICE_LETTER = _(
    "“%(value)s” is not a valid plate number: the second character must be the letter A–Z of the issuing office."
)
_PLATE_I_OR_O = _(
    "“%(value)s” is not a valid plate number: the letters I and O are not used on plates; check for a mistyped 1 or 0."
)
_PLATE_CHARACTERS = _(
    "“%(value)s” is not a valid plate number: after the province and office "
    "letter a plate has only letters and digits, except for a final 挂, 学, "
    "警, 港 or 澳 on a 7-character plate."
)
_PLATE_NEW_ENERGY = _(
    "“%(value)s” is not a valid plate number: an 8-character new-energy plate "
    "has D or F (or another series letter) followed by a letter or digit and 4 "
    "digits, or for large vehicles 5 digits followed by D or F."
)

PLATE_MAX_LENGTH = 8
_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Trailer, driving school, police, Hong Kong and Macau cross-border plates.
_PLATE_SPECIAL_SUFFIXES = "挂学警港澳"
# D = battery electric, F = other new energy. The small-vehicle series was
# later extended with A B C E (electric) and G H J K (other), which are
# already being issued.
_NEW_ENERGY_SMALL_LETTERS = "DABCEFGHJK"
_NEW_ENERGY_LARGE_LETTERS = "DF"

# Plates are written "鲁N·12345", "鲁N.12345" or "鲁N-12345" after the dot
# printed on the plate itself.
_PLATE_DECORATION = re.compile(rf"[\s.\u00b7\u2022\u2027\u2219\u22c5\u30fb{_DASHES}]")
_PLATE_ORDINARY = re.compile(rf"[A-Z0-9]{{5}}|[A-Z0-9]{{4}}[{_PLATE_SPECIAL_SUFFIXES}]", re.ASCII)
_PLATE_NEW_ENERGY_SERIAL = re.compile(
    rf"[{_NEW_ENERGY_SMALL_LETTERS}][A-Z0-9][0-9]{{4}}"
    rf"|[0-9]{{5}}[{_NEW_ENERGY_LARGE_LETTERS}]",
    re.ASCII,
)
_LETTERS_AND_DIGITS = re.compile(r"[A-Z0-9]+", re.ASCII)


def normalize_plate(value: object) -> str:
    """Canonical plate number, e.g. ``鲁N12345``, ``鲁N1234挂`` or ``粤BD12345``."""
    if _is_empty(value):
        return ""
    plate = _PLATE_DECORATION.sub("", _nfkc(value)).upper()
    if not plate:
        return ""
    if plate[0] not in _PLATE_PROVINCES:
        raise _error(_PLATE_PROVINCE, "plate_province", value)
    if len(plate) not in (7, 8):
        raise _error(_PLATE_WRONG_LENGTH, "plate_length", value, count=len(plate))
    if not "A" <= plate[1] <= "Z":
        raise _error(_PLATE_OFFICE_LETTER, "plate_office_letter", value)
    if "I" in plate or "O" in plate:
        raise _error(_PLATE_I_OR_O, "plate_i_or_o", value)
    serial = plate[2:]
    if len(plate) == 7:
        if not _PLATE_ORDINARY.fullmatch(serial):
            raise _error(_PLATE_CHARACTERS, "plate_characters", value)
    elif not _PLATE_NEW_ENERGY_SERIAL.fullmatch(serial):
        if not _LETTERS_AND_DIGITS.fullmatch(serial):
            raise _error(_PLATE_CHARACTERS, "plate_characters", value)
        raise _error(_PLATE_NEW_ENERGY, "plate_new_energy", value)
    return plate


def validate_plate(value: object) -> None:
    """Model-field validator: raises ``ValidationError`` unless a plate number."""
    _require_canonical(value, normalize_plate(value))


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------

_NAME_NO_LETTERS = _("“%(value)s” is not a name: it contains no letters.")
_NAME_TOO_LONG = _("This name has %(count)d characters; at most %(limit)d are allowed.")

NAME_MAX_LENGTH = 100
# Zero-width characters sneak in from copy-pasted web pages and chat apps.
_INVISIBLE = {ord(char): None for char in "\u200b\u200c\u200d\u2060\ufeff"}
_FULL_WIDTH_TO_HALF = {
    **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)},
    0x3000: 0x20,
    **_INVISIBLE,
}
# Minority names (买买提·艾力) are typed with whichever dot the keyboard has.
_NAME_DOTS = {ord(char): "·" for char in "\u2022\u2027\u2219\u22c5\u30fb\uff65"}


def clean_name(value: object) -> str:
    """Name for display: trimmed, half-width, whitespace runs made one space."""
    if value is None:
        return ""
    return " ".join(str(value).translate(_FULL_WIDTH_TO_HALF).split())


def name_key(value: object) -> str:
    """Comparison key for names (duplicates, reconciliation).

    Width, case and all whitespace are ignored, so ``张　伟``, ``张 伟`` and
    ``张伟`` match, and so do ``Ｔｏｍ　Ｌｅｅ`` and ``tom lee``.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value).translate(_INVISIBLE))
    text = unicodedata.normalize("NFKC", text.casefold()).translate(_NAME_DOTS)
    return "".join(text.split())


def normalize_name(value: object) -> str:
    """``clean_name`` of the value; refuses names without letters or too long."""
    name = clean_name(value)
    if not name:
        return ""
    if len(name) > NAME_MAX_LENGTH:
        raise _error(_NAME_TOO_LONG, "name_too_long", value, count=len(name), limit=NAME_MAX_LENGTH)
    # Unicode letter categories include CJK ideographs (Lo).
    if not any(unicodedata.category(char).startswith("L") for char in name):
        raise _error(_NAME_NO_LETTERS, "name_no_letters", value)
    return name


# --------------------------------------------------------------------------
# Invoice numbers
# --------------------------------------------------------------------------

_INVOICE_NOT_DIGITS = _("“%(value)s” is not a valid invoice number: it may only contain digits.")
_INVOICE_NOT_WHOLE = _("“%(value)s” is not a valid invoice number: it is not a whole number.")
_INVOICE_TOO_LONG = _(
    "“%(value)s” is not a valid invoice number: it has %(count)d digits, at most %(limit)d are allowed."
)
_INVOICE_IMPRECISE = _(
    "“%(value)s” is not a valid invoice number: it has more digits than a "
    "spreadsheet number holds exactly, so some were lost; format the column "
    "as text and enter it again."
)
_INVOICE_ALL_ZEROS = _("“%(value)s” is not a valid invoice number: it is all zeros.")

# Paper invoice numbers have 8 digits; cells that lost leading zeros are
# padded back to that.
INVOICE_MIN_DIGITS = 8
# Fully digital (全电) invoices have 20 digits.
INVOICE_MAX_DIGITS = 20


def normalize_invoice_number(value: object) -> str:
    """Invoice number as text of 8–20 digits, left-padded with zeros to 8."""
    # Fast paths for a number cell and for digits as text (every row of an export): the same
    # results as below, where these values meet no other rule.
    if value.__class__ is float:
        if 1 <= value < 1e15 and value.is_integer():
            return str(int(value)).zfill(INVOICE_MIN_DIGITS)
    elif value.__class__ is str and 0 < len(value) <= INVOICE_MAX_DIGITS and value.isascii() and value.isdigit():
        if value.strip("0"):
            return value.zfill(INVOICE_MIN_DIGITS)
    if _is_empty(value):
        return ""
    if isinstance(value, bool):
        raise _error(_INVOICE_NOT_DIGITS, "invoice_not_digits", value)
    if _is_number(value):
        digits = _whole_number_text(_exact_decimal(value))
        from_float = isinstance(value, float)
    else:
        text = "".join(_nfkc(value).split())
        if _SPREADSHEET_NUMBER.fullmatch(text):
            digits = _whole_number_text(Decimal(text))
            # "1234567.0" is exact, "1.23456789012346E+19" is a float's text.
            from_float = "e" in text.lower()
        elif _DIGITS.fullmatch(text):
            digits, from_float = text, False
        else:
            raise _error(_INVOICE_NOT_DIGITS, "invoice_not_digits", value)
    if digits is None:
        raise _error(_INVOICE_NOT_WHOLE, "invoice_not_whole", value)
    if not _DIGITS.fullmatch(digits):
        raise _error(_INVOICE_NOT_DIGITS, "invoice_not_digits", value)
    if from_float and len(digits) > _SPREADSHEET_DIGITS:
        raise _error(_INVOICE_IMPRECISE, "invoice_imprecise", value)
    if len(digits) > INVOICE_MAX_DIGITS:
        raise _error(
            _INVOICE_TOO_LONG,
            "invoice_too_long",
            value,
            count=len(digits),
            limit=INVOICE_MAX_DIGITS,
        )
    # A zero is a placeholder for "no invoice", not a number to store and match on.
    if not digits.strip("0"):
        raise _error(_INVOICE_ALL_ZEROS, "invoice_all_zeros", value)
    return digits.zfill(INVOICE_MIN_DIGITS)


def validate_invoice_number(value: object) -> None:
    """Model-field validator: raises ``ValidationError`` unless an invoice number."""
    _require_canonical(value, normalize_invoice_number(value))


# --------------------------------------------------------------------------
# Amounts
# --------------------------------------------------------------------------

_AMOUNT_INVALID = _("“%(value)s” is not an amount.")
_AMOUNT_GROUPING = _(
    "“%(value)s” is not an amount: commas may only separate groups of three digits before the decimal point."
)
_AMOUNT_TOO_LARGE = _("“%(value)s” is too large to be an amount.")

# Far above any car deal: larger values are unit mix-ups or pasted IDs.
AMOUNT_LIMIT = Decimal(10) ** 10
_FEN = Decimal("0.01")
_WAN = Decimal(10_000)

_AMOUNT_TEXT = re.compile(
    r"""
    (?P<sign>[+-]?)
    (?:¥|RMB|CNY|人民币)?
    (?P<sign2>[+-]?)
    (?P<number>[0-9][0-9,.]*|\.[0-9]+)
    (?P<wan>万)?
    (?:元整?|RMB|CNY)?  # 整 ("exactly") as written on receipts
    """,
    re.VERBOSE | re.IGNORECASE | re.ASCII,
)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})*(?:\.[0-9]*)?", re.ASCII)


def parse_amount(value: object) -> Decimal | None:
    """Amount in yuan as a ``Decimal`` rounded half-up to the fen (0.01).

    Text may carry ¥/￥/RMB/CNY/人民币 or 元/元整, comma thousands separators, a
    万 multiplier (car prices are quoted as "15.98万"), and a sign or
    accounting parentheses for negatives.
    """
    if _is_empty(value):
        return None
    if isinstance(value, bool):
        raise _error(_AMOUNT_INVALID, "amount_invalid", value)
    if _is_number(value):
        amount = _exact_decimal(value)
        if not amount.is_finite():
            raise _error(_AMOUNT_INVALID, "amount_invalid", value)
    else:
        amount = _amount_from_text(value)
    # Checked before quantize(), which fails on numbers beyond its precision.
    if abs(amount) >= AMOUNT_LIMIT:
        raise _error(_AMOUNT_TOO_LARGE, "amount_too_large", value)
    # Adding 0 turns "-0.00" into "0.00".
    amount = amount.quantize(_FEN, rounding=ROUND_HALF_UP) + 0
    if abs(amount) >= AMOUNT_LIMIT:
        raise _error(_AMOUNT_TOO_LARGE, "amount_too_large", value)
    return amount


def _amount_from_text(value: object) -> Decimal:
    text = "".join(_nfkc(value).replace("\u2212", "-").split())
    parenthesised = text.startswith("(") and text.endswith(")")
    if parenthesised:
        text = text[1:-1]
    match = _AMOUNT_TEXT.fullmatch(text)
    if not match:
        raise _error(_AMOUNT_INVALID, "amount_invalid", value)
    signs = match["sign"] + match["sign2"]
    if len(signs) + parenthesised > 1:
        raise _error(_AMOUNT_INVALID, "amount_invalid", value)
    number = match["number"]
    # Refuse rather than guess at "1.234,50" (European style) or "12,34".
    if "," in number and not _GROUPED.fullmatch(number):
        raise _error(_AMOUNT_GROUPING, "amount_grouping", value)
    try:
        amount = Decimal(number.replace(",", ""))
    except InvalidOperation:
        raise _error(_AMOUNT_INVALID, "amount_invalid", value) from None
    if match["wan"]:
        amount *= _WAN
    return -amount if parenthesised or signs == "-" else amount


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

_DATE_FORMAT = _("“%(value)s” is not a date: write it as year-month-day, e.g. 2011-08-24.")
_DATE_NO_SUCH_MONTH = _("“%(value)s” is not a valid date: there is no month %(month)d.")
_DATE_NO_SUCH_DAY = _("“%(value)s” is not a valid date: there is no day %(day)d in %(year)d-%(month)02d.")
_DATE_YEAR_RANGE = _("“%(value)s” is not a plausible date: the year must be between %(min)d and %(max)d.")
_DATE_SERIAL_RANGE = _("“%(value)s” is not a date: as a spreadsheet date number it would fall outside %(min)d–%(max)d.")
_DATE_BAD_TIME = _("“%(value)s” is not a valid date and time: %(time)s is not a time of day.")

# Any date a person may write, a customer's birthday included: catches year typos such as 0211 or 2911.
_MIN_YEAR = 1900
_MAX_YEAR = 2100
# The dealership's own records (deals, deliveries, invoices, service visits, OMD entries,
# do-not-call requests) fall in these years: earlier or later is a typo (0982 for 1982, 2911
# for 2011) that would otherwise be stored, reconciled against, and sent out as a date-time
# with a local-mean-time offset that is not valid RFC 3339.
RECORD_FIRST_YEAR = 1990
RECORD_LAST_YEAR = _MAX_YEAR
# A bare number is only taken as an Excel date serial inside this range,
# otherwise any stray number (a price, a count) would become a date.
_SERIAL_FIRST = date(RECORD_FIRST_YEAR, 1, 1)
_SERIAL_LAST = date(RECORD_LAST_YEAR, 12, 31)
# 1900 date system; the 1899-12-30 epoch absorbs Excel's phantom 1900-02-29
# for every serial after it.
_EXCEL_EPOCH = datetime(1899, 12, 30)
_SECONDS_PER_DAY = 86_400
# Every site is in China, on UTC+8 without daylight saving since 1991.
CHINA_TZ = timezone(timedelta(hours=8), "CST")

_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
_DATE_TEXT = re.compile(
    r"""
    (?P<year>[0-9]{4})
    (?:
        (?P<sep>[-/.]) (?P<month>[0-9]{1,2}) (?P=sep) (?P<day>[0-9]{1,2})
      | \s*年\s*(?P<cn_month>[0-9]{1,2})\s*月\s*(?P<cn_day>[0-9]{1,2})\s*[日号]?
    )
    (?:
        (?:\s+|T)
        (?P<time>
            (?P<hour>[0-9]{1,2}) : (?P<minute>[0-9]{2})
            (?: : (?P<second>[0-9]{2}) (?: \. (?P<fraction>[0-9]{1,6}) )? )?
        )
    )?
    """,
    re.VERBOSE | re.ASCII,
)


def _checked_date(year: int, month: int, day: int, value: object, first_year: int = _MIN_YEAR) -> date:
    if not first_year <= year <= _MAX_YEAR:
        raise _error(_DATE_YEAR_RANGE, "date_year_range", value, min=first_year, max=_MAX_YEAR)
    if not 1 <= month <= 12:
        raise _error(_DATE_NO_SUCH_MONTH, "date_invalid", value, month=month)
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise _error(_DATE_NO_SUCH_DAY, "date_invalid", value, year=year, month=month, day=day)
    return date(year, month, day)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _datetime_from_number(number: Decimal, value: object, first_year: int) -> datetime:
    if number == number.to_integral_value() and 10_000_000 <= number <= 99_999_999:
        # A numeric cell holding 20110824: yyyymmdd, far above any serial.
        digits = str(int(number))
        return _midnight(_checked_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]), value, first_year))
    first = (_SERIAL_FIRST - _EXCEL_EPOCH.date()).days
    last = (_SERIAL_LAST - _EXCEL_EPOCH.date()).days
    if not first <= number < last + 1:
        raise _error(
            _DATE_SERIAL_RANGE,
            "date_serial_range",
            value,
            min=_SERIAL_FIRST.year,
            max=_SERIAL_LAST.year,
        )
    days = int(number)
    # The fraction of a day is the time; rounding to the second drops float noise.
    seconds = round((number - days) * _SECONDS_PER_DAY)
    return _EXCEL_EPOCH + timedelta(days=days, seconds=seconds)


def _datetime_from_text(value: object, first_year: int) -> datetime:
    text = _nfkc(value)
    if _PLAIN_NUMBER.fullmatch(text):
        return _datetime_from_number(Decimal(text), value, first_year)
    match = _DATE_TEXT.fullmatch(text)
    if not match:
        raise _error(_DATE_FORMAT, "date_format", value)
    day = _checked_date(
        int(match["year"]),
        int(match["month"] or match["cn_month"]),
        int(match["day"] or match["cn_day"]),
        value,
        first_year,
    )
    if not match["time"]:
        return _midnight(day)
    try:
        return datetime(
            day.year,
            day.month,
            day.day,
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
            int((match["fraction"] or "").ljust(6, "0")),
        )
    except ValueError:
        raise _error(_DATE_BAD_TIME, "date_bad_time", value, time=match["time"]) from None


def _china_time(value: datetime, first_year: int, shown: object) -> datetime:
    """An aware datetime as naive China time; the year is checked first, so no conversion overflows."""
    _checked_date(value.year, value.month, value.day, shown, first_year)
    return value.astimezone(CHINA_TZ).replace(tzinfo=None)


def _moment(value: object, first_year: int) -> datetime | None:
    if _is_empty(value):
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = _china_time(value, first_year, value)
        _checked_date(value.year, value.month, value.day, value, first_year)
        return value
    if isinstance(value, date):
        return _midnight(_checked_date(value.year, value.month, value.day, value, first_year))
    if isinstance(value, bool):
        raise _error(_DATE_FORMAT, "date_format", value)
    if _is_number(value):
        number = _exact_decimal(value)
        if not number.is_finite():
            raise _error(_DATE_FORMAT, "date_format", value)
        return _datetime_from_number(number, value, first_year)
    return _datetime_from_text(value, first_year)


def _day(value: object, first_year: int) -> date | None:
    # Fast paths for the cells calamine gives for date-formatted cells (the same results as
    # _moment, for which such values meet only the year check).
    cls = value.__class__
    if cls is datetime:
        if value.tzinfo is None and first_year <= value.year <= _MAX_YEAR:
            return value.date()
    elif cls is date and first_year <= value.year <= _MAX_YEAR:
        return value
    moment = _moment(value, first_year)
    return None if moment is None else moment.date()


def parse_datetime_value(value: object) -> datetime | None:
    """Naive China-time datetime from a date/datetime, Excel serial or text.

    Takes everything ``parse_date`` takes; a date without a time of day gives
    midnight, and an aware datetime is converted to China time first.
    """
    return _moment(value, _MIN_YEAR)


def parse_date(value: object) -> date | None:
    """Date from a date/datetime, Excel serial (1990–2100) or year-month-day text.

    Text may be ``2011-08-24``, ``2011/8/24``, ``2011.08.24``,
    ``2011年8月24日`` or ``20110824``, optionally followed by a time of day,
    which is checked and dropped. Any year 1900–2100 is taken (a birthday);
    the dates of the dealership's own records use ``parse_record_date``.
    """
    return _day(value, _MIN_YEAR)


def parse_record_date(value: object) -> date | None:
    """``parse_date`` for a date of the dealership's own records: the year must be 1990–2100.

    Deal, delivery and invoice dates, OMD entry dates and do-not-call dates, in forms, the API
    and every import.
    """
    return _day(value, RECORD_FIRST_YEAR)


def parse_record_datetime(value: object) -> datetime | None:
    """``parse_datetime_value`` for a moment of the dealership's own records (1990–2100)."""
    return _moment(value, RECORD_FIRST_YEAR)


def validate_record_date(value: date | datetime | None, *, shown: object = None) -> None:
    """Refuse a date or date-time outside 1990–2100 (an aware one is judged in China time).

    For values a form or the API has already parsed into a date or datetime (a service visit's
    opened and closed times); ``shown`` is the input as typed, quoted in the message.
    """
    if value is None:
        return
    shown = value if shown is None else shown
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = _china_time(value, RECORD_FIRST_YEAR, shown)
    _checked_date(value.year, value.month, value.day, shown, RECORD_FIRST_YEAR)

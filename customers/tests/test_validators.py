"""Tests for customers.validators: the one place that decides what a valid value is.

Plain pytest, no database: these run both under pytest-django with the real
settings and on their own with ``-p no:django``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from customers.validators import (
    clean_name,
    name_key,
    normalize_invoice_number,
    normalize_name,
    normalize_phone,
    normalize_plate,
    normalize_vin,
    parse_amount,
    parse_date,
    parse_datetime_value,
    phone_last4,
    validate_invoice_number,
    validate_phone,
    validate_plate,
    validate_vin,
    vin_check_digit,
    vin_with_check_digit,
)

# Rendering the lazy messages needs settings; outside the project (run with
# ``-p no:django`` and no settings module) minimal ones are enough.
if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
    settings.configure(USE_I18N=False)


@pytest.fixture(autouse=True)
def english_messages():
    """Assertions read the English msgids whatever LANGUAGE_CODE the project uses."""
    from django.utils import translation

    with translation.override("en"):
        yield


def rejection(func: Callable[[object], object], value: object) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        func(value)
    return excinfo.value


def message(error: ValidationError) -> str:
    return " ".join(error.messages)


# --------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "13012345678",
        "14512345678",
        "15912345678",
        "16612345678",
        "17512345678",
        "18812345678",
        "19212345678",
        "19812345678",
        "19912345678",
    ],
)
def test_mobile_prefixes_13_to_19_are_accepted(number):
    assert normalize_phone(number) == number


@pytest.mark.parametrize("number", ["16612345678", "17512345678", "19212345678", "19812345678", "19912345678"])
def test_mobile_prefixes_166_175_192_198_199_are_accepted(number):
    assert normalize_phone(number) == number


MOBILE_PREFIXES = ["130", "145", "159", "166", "175", "188", "192", "198", "199"]


@pytest.mark.parametrize("prefix", MOBILE_PREFIXES)
@pytest.mark.parametrize(
    "written",
    ["{p}-1234-5678", "{p} 1234 5678", "+86 {p} 1234 5678", "0086-{p}-1234-5678", "86 {p}12345678", "0{p}12345678"],
)
def test_mobile_prefixes_13_to_19_are_accepted_however_the_number_is_written(prefix, written):
    # Bare 11-digit strings take a shortcut; separators and country codes go through the prefix check.
    assert normalize_phone(written.format(p=prefix)) == f"{prefix}12345678"


def test_a_plus_86_mobile_starting_166_keeps_its_digits():
    assert normalize_phone("+86 166 1234 5678") == "16612345678"
    assert normalize_phone("199-1234-5678") == "19912345678"
    assert normalize_phone("+86 199 1234 5678") == "19912345678"


@pytest.mark.parametrize("written", ["120-1234-5678", "(110)1234-5678", "100 1234 5678"])
def test_mobile_prefixes_10_to_12_are_rejected_however_the_number_is_written(written):
    assert rejection(normalize_phone, written).code == "phone_bad_prefix"


@pytest.mark.parametrize("number", ["12012345678", "11012345678", "10012345678"])
def test_mobile_prefixes_10_to_12_are_rejected_as_a_bad_prefix(number):
    error = rejection(normalize_phone, number)
    assert error.code == "phone_bad_prefix"
    assert message(error) == f"“{number}” is not a valid phone number: a mobile number has 11 digits starting 13–19."


@pytest.mark.parametrize(
    "cell",
    [
        13812345678.0,  # the same float as 1.3812345678e10
        "13812345678.0",
        "13812345678.00",
        "1.3812345678E10",
        "1.3812345678e+10",
        13812345678,
        Decimal(13812345678),
        Decimal("13812345678.0"),
    ],
)
def test_excel_float_phone_is_recovered_exactly(cell):
    assert normalize_phone(cell) == "13812345678"


@pytest.mark.parametrize("cell", [1381234567.8, "1.38123456785E10", Decimal("13812345678.5")])
def test_fractional_phone_number_is_rejected_as_not_whole(cell):
    error = rejection(normalize_phone, cell)
    assert error.code == "phone_not_whole"
    assert "not a whole number" in message(error)


@pytest.mark.parametrize(
    "raw",
    [
        "138 1234 5678",
        "138-1234-5678",
        "(138)12345678",
        " 13812345678 ",
        "１３８１２３４５６７８",
        "１３８－１２３４－５６７８",
        "138—1234—5678",
        "138\u30001234\u30005678",
    ],
)
def test_phone_spaces_dashes_parentheses_and_full_width_digits_are_handled(raw):
    assert normalize_phone(raw) == "13812345678"


@pytest.mark.parametrize("dash", ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\uff0d"])
def test_every_dash_people_type_separates_the_digits_of_a_phone(dash):
    assert normalize_phone(f"138{dash}1234{dash}5678") == "13812345678"
    assert normalize_phone(f"0534{dash}2345678") == "0534-2345678"


@pytest.mark.parametrize("separator", ["/", ",", ";", "、", "|", "，", "；", "／"])
def test_two_numbers_in_one_cell_are_refused_as_several_whatever_separates_them(separator):
    assert rejection(normalize_phone, f"13812345678{separator}13912345678").code == "phone_several"


@pytest.mark.parametrize(
    "raw",
    [
        "+86 138 1234 5678",
        "+8613812345678",
        "+86-138-1234-5678",
        "(+86)13812345678",
        "0086 13812345678",
        "008613812345678",
        "86 13812345678",
        "86-13812345678",
        "8613812345678",
        "＋８６ １３８１２３４５６７８",
        8613812345678.0,
    ],
)
def test_country_code_prefixes_are_removed(raw):
    assert normalize_phone(raw) == "13812345678"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0534-2345678", "0534-2345678"),
        ("0534 2345678", "0534-2345678"),
        ("05342345678", "0534-2345678"),
        ("(0534)2345678", "0534-2345678"),
        ("０５３４－２３４５６７８", "0534-2345678"),
        ("0534-23456789", "0534-23456789"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("021 8765 4321", "021-87654321"),
        ("0755-23456789", "0755-23456789"),
        ("+86 534 2345678", "0534-2345678"),
        ("+86 10 1234 5678", "010-12345678"),
        ("0086 0534 2345678", "0534-2345678"),
        ("(86) 0534 2345678", "0534-2345678"),
        ("(86)0534-2345678", "0534-2345678"),
        ("86-0534-2345678", "0534-2345678"),
    ],
)
def test_landlines_are_normalised_to_area_code_dash_local_number(raw, expected):
    assert normalize_phone(raw) == expected


def test_landline_area_code_is_split_by_the_numbering_plan_not_by_how_it_was_typed():
    assert normalize_phone("053-42345678") == "0534-2345678"


def test_long_distance_zero_written_before_a_mobile_is_dropped():
    assert normalize_phone("013812345678") == "13812345678"


@pytest.mark.parametrize(
    ("raw", "code", "reason"),
    [
        ("1381234567", "phone_too_short", "too short (10 digits); a mobile number has 11 digits"),
        ("1", "phone_too_short", "too short (1 digit)"),
        ("138123456789", "phone_too_long", "too long (12 digits)"),
        ("138-1234-567a", "phone_not_digits", "may only contain digits"),
        ("tel 13812345678", "phone_not_digits", "may only contain digits"),
        ("138.1234.5678", "phone_not_digits", "may only contain digits"),
        ("2345678", "phone_no_area_code", "needs its area code"),
        ("87654321", "phone_no_area_code", "needs its area code"),
        ("0534-234567", "phone_too_short", "too short for a landline number"),
        ("0534-234567890", "phone_too_long", "too long for a landline number"),
        ("0534-0234567", "phone_bad_prefix", "after area code 0534 cannot start with 0."),
        ("+1 415 555 2671", "phone_foreign", "only Chinese numbers (+86)"),
        ("0014155552671", "phone_foreign", "only Chinese numbers (+86)"),
        ("13812345678/13912345678", "phone_several", "more than one number"),
        ("13812345678，13912345678", "phone_several", "more than one number"),
        ("5342345678", "phone_bad_prefix", "a mobile number starts with 1"),
    ],
)
def test_invalid_phone_numbers_are_rejected_with_the_reason(raw, code, reason):
    error = rejection(normalize_phone, raw)
    assert error.code == code
    assert reason in message(error)
    assert f"“{raw}”" in message(error)


@pytest.mark.parametrize("value", [-13812345678, True])
def test_negative_or_boolean_phone_cell_is_rejected(value):
    assert rejection(normalize_phone, value).code == "phone_not_digits"


@pytest.mark.parametrize("empty", [None, "", "   ", "\u3000"])
def test_empty_phone_gives_empty_string(empty):
    assert normalize_phone(empty) == ""


def test_phone_error_quotes_a_float_cell_as_the_user_saw_it():
    assert "“1381234567.8”" in message(rejection(normalize_phone, 1381234567.8))


@pytest.mark.parametrize(
    ("phone", "last4"),
    [
        ("13812345678", "5678"),
        (13812345678.0, "5678"),
        ("0534-2345678", "5678"),
        ("+86 138 1234 5678", "5678"),
        ("bad 12-34", "1234"),
        (None, ""),
        ("", ""),
    ],
)
def test_phone_last4_gives_the_last_four_digits(phone, last4):
    assert phone_last4(phone) == last4


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("138 1286 5678", "13812865678"), ("0534 2386 5678", "0534-23865678"), ("138-8686-8686", "13886868686")],
)
def test_an_86_inside_the_number_is_not_taken_for_the_country_code(raw, expected):
    assert normalize_phone(raw) == expected


def test_validate_phone_accepts_valid_and_raises_for_invalid():
    assert validate_phone("13812345678") is None
    assert validate_phone("0534-2345678") is None
    with pytest.raises(ValidationError):
        validate_phone("12345")


@pytest.mark.parametrize(("stored", "canonical"), [("138-1234-5678", "13812345678"), ("05342345678", "0534-2345678")])
def test_validate_phone_refuses_a_valid_number_not_in_its_stored_form(stored, canonical):
    error = rejection(validate_phone, stored)
    assert error.code == "not_canonical"
    assert f"must be stored as “{canonical}”" in message(error)


# --------------------------------------------------------------------------
# VIN
# --------------------------------------------------------------------------

# Built with vin_with_check_digit("LFV2A21K?A3000001") and checked by hand:
#   L3×8=24  F6×7=42  V5×6=30  2×5=10  A1×4=4  2×3=6  1×2=2  K2×10=20  (9th ×0)
#   A1×9=9  3×8=24  0×7  0×6  0×5  0×4  0×3  1×2=2
#   sum 173, 173 mod 11 = 8  →  check digit 8.
CHINESE_VIN = "LFV2A21K8A3000001"


@pytest.mark.parametrize("vin", ["1M8GDM9AXKP042788", "11111111111111111", CHINESE_VIN, "LSVAU218XN2183294"])
def test_known_valid_vins_are_accepted(vin):
    assert normalize_vin(vin) == vin


@pytest.mark.parametrize(
    ("vin", "digit"),
    [
        ("1M8GDM9AXKP042788", "X"),
        ("11111111111111111", "1"),
        ("LFV2A21K?A3000001", "8"),
        ("LSVAU2180N2183294", "X"),
        ("lsvau2180n2183294", "X"),
    ],
)
def test_vin_check_digit_follows_iso_3779(vin, digit):
    assert vin_check_digit(vin) == digit


def test_vin_with_check_digit_sets_position_9_and_the_result_validates():
    assert vin_with_check_digit("LFV2A21K?A3000001") == CHINESE_VIN
    assert vin_with_check_digit("lsvau2180n2183294") == "LSVAU218XN2183294"
    generated = vin_with_check_digit("LSGPC52U0AF000123")
    assert generated == "LSGPC52U6AF000123"
    assert normalize_vin(generated) == generated


@pytest.mark.parametrize("bad", ["LSVAU2180N218329", "LSVAU2180N2I83294", "LSVAU2180N2183-94"])
def test_vin_check_digit_helper_raises_value_error_for_unusable_input(bad):
    with pytest.raises(ValueError):
        vin_check_digit(bad)


@pytest.mark.parametrize(
    ("vin", "actual", "expected"),
    [("LSVAU2180N2183294", "0", "X"), ("1M8GDM9A1KP042788", "1", "X"), ("LFV2A21K1A3000001", "1", "8")],
)
def test_vin_with_wrong_check_digit_is_rejected_and_names_the_expected_digit(vin, actual, expected):
    error = rejection(normalize_vin, vin)
    assert error.code == "vin_check_digit"
    assert f"check digit (9th character) is {actual} but should be {expected}" in message(error)


def test_vin_check_digit_can_be_skipped_for_makers_that_do_not_use_it():
    assert normalize_vin("LSVAU2180N2183294", verify_check_digit=False) == "LSVAU2180N2183294"


@pytest.mark.parametrize(
    "raw",
    [
        " lsvau218xn2183294 ",
        "LSVAU 218X N218 3294",
        "LSVAU218X\u3000N2183294",
        "LSVAU218X\tN2183294\n",
        "ＬＳＶＡＵ２１８ＸＮ２１８３２９４",
        "lSvAu218xN2183294",
    ],
)
def test_vin_is_upper_cased_with_all_whitespace_and_full_width_removed(raw):
    assert normalize_vin(raw) == "LSVAU218XN2183294"


@pytest.mark.parametrize(
    ("vin", "letters"),
    [
        ("LSVAU218XN2I83294", "I"),
        ("LSVAU218XN2183O94", "O"),
        ("QSVAU218XN2I83294", "Q, I"),
        ("LSVAU218XN2183Q94", "Q"),
        ("lsvau218xn2183q94", "Q"),
        ("LSVAU218QN2183294", "Q"),
    ],
)
def test_vin_with_i_o_or_q_is_rejected_naming_the_letters(vin, letters):
    error = rejection(normalize_vin, vin)
    assert error.code == "vin_forbidden_letters"
    assert "I, O and Q are never used" in message(error)
    assert f"contains {letters};" in message(error)


@pytest.mark.parametrize(("vin", "length"), [("LSVAU218XN218329", 16), ("LSVAU218XN21832945", 18), ("L", 1)])
def test_vin_of_wrong_length_is_rejected_stating_its_length(vin, length):
    error = rejection(normalize_vin, vin)
    assert error.code == "vin_length"
    assert f"a VIN has 17 characters, this has {length}." in message(error)


@pytest.mark.parametrize(
    ("vin", "chars"), [("LSVAU218X-N218329", "-"), ("LSVAU218XN21832*4", "*"), ("LSVAU218XN2183ß94", "ß"), (1.5, ".")]
)
def test_vin_with_bad_characters_is_rejected_naming_them(vin, chars):
    error = rejection(normalize_vin, vin)
    assert error.code == "vin_bad_characters"
    assert f"“{chars}” cannot appear in a VIN" in message(error)


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_empty_vin_gives_empty_string(empty):
    assert normalize_vin(empty) == ""


def test_validate_vin_accepts_valid_and_raises_for_invalid():
    assert validate_vin(CHINESE_VIN) is None
    with pytest.raises(ValidationError):
        validate_vin("LSVAU2180N2183294")


@pytest.mark.parametrize("stored", ["lsvau218xn2183294", "LSVAU218X N2183294", "ＬＳＶＡＵ２１８ＸＮ２１８３２９４"])
def test_validate_vin_refuses_a_valid_vin_not_in_its_stored_form(stored):
    error = rejection(validate_vin, stored)
    assert error.code == "not_canonical"
    assert "must be stored as “LSVAU218XN2183294”" in message(error)


# --------------------------------------------------------------------------
# Licence plates
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("鲁N12345", "鲁N12345"),
        ("鲁n12345", "鲁N12345"),
        ("鲁N·12345", "鲁N12345"),
        ("鲁N.12345", "鲁N12345"),
        ("鲁N-12345", "鲁N12345"),
        ("鲁N•12345", "鲁N12345"),
        (" 鲁 N 123 45 ", "鲁N12345"),
        ("鲁Ｎ１２３４５", "鲁N12345"),
        ("京AB8C8Z", "京AB8C8Z"),
        ("川a8x8y8", "川A8X8Y8"),
    ],
)
def test_ordinary_plates_are_normalised(raw, expected):
    assert normalize_plate(raw) == expected


@pytest.mark.parametrize("plate", ["鲁N1234挂", "鲁N1234学", "鲁N1234警", "粤Z1234港", "粤Z1234澳"])
def test_special_plates_ending_in_a_character_are_accepted(plate):
    assert normalize_plate(plate) == plate


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("粤BD12345", "粤BD12345"),
        ("粤B·F12345", "粤BF12345"),
        ("沪ADA1234", "沪ADA1234"),
        ("京AA12345", "京AA12345"),
        ("鲁N12345D", "鲁N12345D"),
        ("鲁n12345f", "鲁N12345F"),
    ],
)
def test_new_energy_plates_with_8_characters_are_accepted(raw, expected):
    assert normalize_plate(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code", "reason"),
    [
        ("N12345", "plate_province", "must start with a province abbreviation"),
        ("港A12345", "plate_province", "must start with a province abbreviation"),
        ("鲁N1234", "plate_length", "this has 6."),
        ("鲁N1234567", "plate_length", "this has 9."),
        ("鲁112345", "plate_office_letter", "second character must be the letter"),
        ("鲁NO1234", "plate_i_or_o", "I and O are not used"),
        ("鲁N12I45", "plate_i_or_o", "I and O are not used"),
        ("鲁N12#45", "plate_characters", "only letters and digits"),
        ("鲁N挂1234", "plate_characters", "only letters and digits"),
        ("鲁N1234挂5", "plate_characters", "only letters and digits"),
        ("鲁N123456", "plate_new_energy", "5 digits followed by D or F"),
        ("鲁NX12345", "plate_new_energy", "D or F"),
        ("鲁ND1234A", "plate_new_energy", "D or F"),
    ],
)
def test_invalid_plates_are_rejected_with_the_reason(raw, code, reason):
    error = rejection(normalize_plate, raw)
    assert error.code == code
    assert reason in message(error)


@pytest.mark.parametrize("empty", [None, "", " ·", "\u3000"])
def test_empty_plate_gives_empty_string(empty):
    assert normalize_plate(empty) == ""


def test_validate_plate_accepts_valid_and_raises_for_invalid():
    assert validate_plate("鲁N12345") is None
    with pytest.raises(ValidationError):
        validate_plate("鲁N1234")


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  张伟  ", "张伟"),
        ("张\u3000伟", "张 伟"),
        ("Ｔｏｍ\u3000Ｌｅｅ", "Tom Lee"),
        ("Tom  \t Lee", "Tom Lee"),
        ("ＡＢＣ（集团）！", "ABC(集团)!"),
        ("李\u200b娜", "李娜"),
        ("买买提·艾力", "买买提·艾力"),
        (None, ""),
    ],
)
def test_clean_name_trims_makes_half_width_and_collapses_spaces(raw, expected):
    assert clean_name(raw) == expected


@pytest.mark.parametrize(
    "spellings",
    [
        ["张\u3000伟 ", "张 伟", "张伟", "\u200b张伟", " 张  伟\t"],
        ["Ｔｏｍ\u3000Ｌｅｅ", "tom lee", "TOM LEE", "TomLee"],
        ["买买提·艾力", "买买提•艾力", "买买提・艾力"],
    ],
)
def test_name_key_is_equal_for_spellings_of_the_same_name(spellings):
    assert len({name_key(spelling) for spelling in spellings}) == 1


def test_name_key_tells_different_names_apart():
    assert name_key("张伟") != name_key("张纬")
    assert name_key("Tom Lee") != name_key("Tim Lee")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  王\u3000小明 ", "王 小明"),
        ("O'Brien", "O'Brien"),
        ("阿卜杜·热合曼", "阿卜杜·热合曼"),
        ("张" * 100, "张" * 100),
    ],
)
def test_normalize_name_returns_the_cleaned_name(raw, expected):
    assert normalize_name(raw) == expected


@pytest.mark.parametrize("raw", ["123", "---", "13812345678", 123.0, "（　）"])
def test_name_without_letters_is_rejected(raw):
    error = rejection(normalize_name, raw)
    assert error.code == "name_no_letters"
    assert "contains no letters" in message(error)


def test_name_longer_than_100_characters_is_rejected_with_its_length():
    error = rejection(normalize_name, "张" * 101)
    assert error.code == "name_too_long"
    assert message(error) == "This name has 101 characters; at most 100 are allowed."


@pytest.mark.parametrize("empty", [None, "", "\u3000 "])
def test_empty_name_gives_empty_string(empty):
    assert normalize_name(empty) == ""


# --------------------------------------------------------------------------
# Invoice numbers
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (1234567, "01234567"),
        (1234567.0, "01234567"),
        (Decimal(1234567), "01234567"),
        ("1234567", "01234567"),
        ("1234567.0", "01234567"),
        ("1.234567E6", "01234567"),
        ("123456", "00123456"),
        (123, "00000123"),
        ("00123456", "00123456"),
        (12345678, "12345678"),
        ("１２３４５６７８", "12345678"),
        (" 1234 5678 ", "12345678"),
    ],
)
def test_invoice_numbers_that_lost_leading_zeros_are_padded_to_8_digits(cell, expected):
    assert normalize_invoice_number(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("24112000000012345678", "24112000000012345678"),
        (24112000000012345678, "24112000000012345678"),
        ("002411200000001234", "002411200000001234"),
        ("123456789012", "123456789012"),
    ],
)
def test_long_invoice_numbers_up_to_20_digits_are_kept_as_text(cell, expected):
    assert normalize_invoice_number(cell) == expected


@pytest.mark.parametrize(
    ("cell", "code", "reason"),
    [
        ("INV12345678", "invoice_not_digits", "may only contain digits"),
        ("1234-5678", "invoice_not_digits", "may only contain digits"),
        ("No.12345678", "invoice_not_digits", "may only contain digits"),
        (-1234, "invoice_not_digits", "may only contain digits"),
        (True, "invoice_not_digits", "may only contain digits"),
        (1234567.5, "invoice_not_whole", "not a whole number"),
        ("123456789012345678901", "invoice_too_long", "it has 21 digits, at most 20 are allowed"),
        (2.4112000000012345e19, "invoice_imprecise", "format the column as text"),
        ("2.41120000000123E+19", "invoice_imprecise", "format the column as text"),
        (0, "invoice_all_zeros", "all zeros"),
        ("00000000", "invoice_all_zeros", "all zeros"),
    ],
)
def test_invalid_invoice_numbers_are_rejected_with_the_reason(cell, code, reason):
    error = rejection(normalize_invoice_number, cell)
    assert error.code == code
    assert reason in message(error)


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_empty_invoice_number_gives_empty_string(empty):
    assert normalize_invoice_number(empty) == ""


def test_validate_invoice_number_accepts_valid_and_raises_for_invalid():
    assert validate_invoice_number("12345678") is None
    with pytest.raises(ValidationError):
        validate_invoice_number("A1234567")


# --------------------------------------------------------------------------
# Amounts
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("¥1,234.50", "1234.50"),
        ("￥1，234.50", "1234.50"),
        ("1234.5元", "1234.50"),
        ("¥1,234.50元", "1234.50"),
        ("RMB 1,234.50", "1234.50"),
        ("rmb1234.5", "1234.50"),
        ("CNY 88", "88.00"),
        ("人民币100元", "100.00"),
        ("12345元整", "12345.00"),
        ("１，２３４．５０", "1234.50"),
        ("  1234.50  ", "1234.50"),
        ("1,234,567.891", "1234567.89"),
        (".5", "0.50"),
        ("+100", "100.00"),
        ("12.5万", "125000.00"),
        ("15.98万元", "159800.00"),
    ],
)
def test_amount_text_with_currency_marks_and_separators_is_parsed(raw, expected):
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize(
    "raw",
    [
        "-1,234.50",
        "－１，２３４．５０",
        "\u22121234.50",
        "(1,234.50)",
        "（1,234.50）",
        "¥-1,234.50",
        "-¥1,234.50",
        "(¥1,234.50)",
    ],
)
def test_negative_amounts_are_parsed(raw):
    assert parse_amount(raw) == Decimal("-1234.50")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("-2.675", "-2.68"), ("-0.001", "0.00")],
)
def test_amounts_are_rounded_half_up_to_the_fen(raw, expected):
    amount = parse_amount(raw)
    assert amount == Decimal(expected)
    assert str(amount) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [(1234, "1234.00"), (1234.5, "1234.50"), (1.005, "1.01"), (0.1 + 0.2, "0.30"), (Decimal("2.675"), "2.68")],
)
def test_numeric_amount_cells_are_converted_via_repr_not_binary_value(cell, expected):
    # Decimal(1.005) is 1.00499999…, which would round down to 1.00.
    assert str(parse_amount(cell)) == expected


@pytest.mark.parametrize(
    "raw",
    ["abc", "12abc", "¥", "$100", "1.2.3", "1e5", "--5", "+-5", "(-5)", "5元元", float("nan"), float("inf"), True],
)
def test_text_that_is_not_an_amount_is_rejected(raw):
    error = rejection(parse_amount, raw)
    assert error.code == "amount_invalid"
    assert "is not an amount." in message(error)


def test_amount_rejection_message_quotes_the_value():
    assert message(rejection(parse_amount, "abc")) == "“abc” is not an amount."


@pytest.mark.parametrize("raw", ["1.234,50", "12,34", "1,2345.00", "1,234,5"])
def test_amount_with_misplaced_commas_is_rejected_rather_than_guessed(raw):
    error = rejection(parse_amount, raw)
    assert error.code == "amount_grouping"
    assert "groups of three digits" in message(error)


@pytest.mark.parametrize(
    "raw", [10**10, "10,000,000,000", "-10000000000", "9999999999.995", Decimal("1E+30"), 1e300, "1000000万"]
)
def test_absurdly_large_amounts_are_rejected(raw):
    error = rejection(parse_amount, raw)
    assert error.code == "amount_too_large"
    assert "too large to be an amount" in message(error)


def test_largest_allowed_amount_is_just_below_ten_billion():
    assert parse_amount("9,999,999,999.99") == Decimal("9999999999.99")


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_empty_amount_gives_none(empty):
    assert parse_amount(empty) is None


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "2011-08-24",
        "2011/8/24",
        "2011.08.24",
        "2011-8-24",
        "2011年8月24日",
        "2011年08月24号",
        "2011 年 8 月 24 日",
        "20110824",
        "２０１１－０８－２４",
        " 2011-08-24 ",
        "2011-08-24 13:45:00",
        "2011/8/24 13:45",
        "2011-08-24T13:45:00",
        "2011年8月24日 13:45",
        "2011-08-24 13:45:00.123",
    ],
)
def test_date_text_forms_are_parsed(raw):
    assert parse_date(raw) == date(2011, 8, 24)


@pytest.mark.parametrize("cell", [date(2011, 8, 24), datetime(2011, 8, 24, 13, 45), datetime(2011, 8, 24, 23, 59, 59)])
def test_real_date_and_datetime_cells_give_their_date(cell):
    assert parse_date(cell) == date(2011, 8, 24)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (40414, date(2010, 8, 24)),
        (40414.0, date(2010, 8, 24)),
        (40414.75, date(2010, 8, 24)),
        ("40414", date(2010, 8, 24)),
        ("40414.0", date(2010, 8, 24)),
        (Decimal(40779), date(2011, 8, 24)),
        (32874, date(1990, 1, 1)),
        (73415, date(2100, 12, 31)),
    ],
)
def test_excel_serial_numbers_are_dates_from_the_1899_12_30_epoch(cell, expected):
    assert parse_date(cell) == expected


@pytest.mark.parametrize("cell", [20110824, 20110824.0])
def test_numeric_cell_holding_yyyymmdd_is_read_as_a_date(cell):
    assert parse_date(cell) == date(2011, 8, 24)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2011-02-30", "there is no day 30 in 2011-02."),
        ("2011年2月29日", "there is no day 29 in 2011-02."),
        ("2011-04-31", "there is no day 31 in 2011-04."),
        (20110230, "there is no day 30 in 2011-02."),
        ("2011-13-01", "there is no month 13."),
        ("2011/0/10", "there is no month 0."),
    ],
)
def test_impossible_dates_are_rejected_naming_the_value(raw, reason):
    error = rejection(parse_date, raw)
    assert error.code == "date_invalid"
    assert message(error) == f"“{raw}” is not a valid date: {reason}"


def test_february_29_of_a_leap_year_is_accepted():
    assert parse_date("2012-02-29") == date(2012, 2, 29)


@pytest.mark.parametrize(
    "raw", ["24/08/2011", "8/24/2011", "2011-08", "11-8-24", "2011-08/24", "next tuesday", "2011-08-24 13h45", True]
)
def test_unrecognised_date_text_is_rejected_asking_for_year_month_day(raw):
    error = rejection(parse_date, raw)
    assert error.code == "date_format"
    assert "write it as year-month-day" in message(error)


@pytest.mark.parametrize("cell", [100, 32873, 73416, -5, "5", 1234567])
def test_numbers_outside_the_excel_serial_range_are_not_dates(cell):
    error = rejection(parse_date, cell)
    assert error.code == "date_serial_range"
    assert "outside 1990–2100" in message(error)


@pytest.mark.parametrize("raw", ["1899-12-31", "2101-01-01", "0211-08-24", date(1800, 1, 1)])
def test_dates_with_implausible_years_are_rejected(raw):
    error = rejection(parse_date, raw)
    assert error.code == "date_year_range"
    assert "between 1900 and 2100" in message(error)


def test_date_with_an_impossible_time_is_rejected_naming_the_time():
    error = rejection(parse_date, "2011-08-24 25:00")
    assert error.code == "date_bad_time"
    assert "25:00 is not a time of day" in message(error)


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_empty_date_gives_none(empty):
    assert parse_date(empty) is None
    assert parse_datetime_value(empty) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2011-08-24 13:45:00", datetime(2011, 8, 24, 13, 45)),
        ("2011/8/24 9:05", datetime(2011, 8, 24, 9, 5)),
        ("2011-08-24 13:45:00.5", datetime(2011, 8, 24, 13, 45, 0, 500000)),
        ("2011-08-24", datetime(2011, 8, 24)),
        (date(2011, 8, 24), datetime(2011, 8, 24)),
        (datetime(2011, 8, 24, 13, 45), datetime(2011, 8, 24, 13, 45)),
        (40414.5729166667, datetime(2010, 8, 24, 13, 45)),
        ("40414.5", datetime(2010, 8, 24, 12)),
    ],
)
def test_parse_datetime_value_keeps_the_time_of_day(raw, expected):
    assert parse_datetime_value(raw) == expected


def test_aware_datetimes_are_converted_to_china_time():
    moment = datetime(2011, 8, 24, 20, 0, tzinfo=UTC)
    assert parse_datetime_value(moment) == datetime(2011, 8, 25, 4, 0)
    assert parse_date(moment) == date(2011, 8, 25)

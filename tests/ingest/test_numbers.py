"""The one number parser: a value is read one way or refused with the readings it could have."""

import pytest

from analysis.ingest.numbers import NumberError, parse_number


@pytest.mark.parametrize(
    "text, value",
    [
        ("266", 266.0),
        ("-3", -3.0),
        ("27,27", 27.27),  # two decimals: a comma can only be the decimal mark
        ("84.51", 84.51),
        ("0,125", 0.125),  # a thousands group never follows a lone 0
        ("12345,678", 12345.678),  # five digits before the mark: not a thousands group
        ("95 424", 95424.0),
        ("95\u00a0424", 95424.0),
        ("1 234,5", 1234.5),  # space between thousands: the comma is the decimal mark
        ("1.234,5", 1234.5),  # both marks: the last one is the decimal mark
        ("1,234.5", 1234.5),
        (97.125, 97.125),  # a workbook's number cell is a number
    ],
)
def test_values_with_one_reading(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text, readings",
    [
        ("1,266", ("1.266 (decimal comma)", "1 266 (comma between thousands)")),
        ("95.424", ("95.424 (decimal point)", "95 424 (point between thousands)")),
        ("-2,500", ("-2.5 (decimal comma)", "-2 500 (comma between thousands)")),
    ],
)
def test_values_with_two_readings_are_refused_with_both(text, readings):
    with pytest.raises(NumberError) as err:
        parse_number(text)
    assert err.value.ambiguous and all(r in err.value.reason for r in readings)


@pytest.mark.parametrize(
    "text, mark, value", [("1,266", ",", 1.266), ("1,266", ".", 1266.0), ("1.234.567", ",", 1234567.0)]
)
def test_a_declared_mark_gives_the_one_reading(text, mark, value):
    assert parse_number(text, mark) == value


@pytest.mark.parametrize("text", ["", "abc", "2 66", "1.", "1e5", "12%", "1,2,3", "inf", "NaN", True])
def test_text_that_is_no_number(text):
    with pytest.raises(NumberError) as err:
        parse_number(text)
    assert not err.value.ambiguous and "is not a number" in err.value.reason


def test_a_mark_against_the_declaration_is_refused():
    with pytest.raises(NumberError, match="has a decimal point, but the file declares a decimal comma"):
        parse_number("97.5", ",")

"""CSV records with the file row each starts on (``inputs.csv_rows``): blank records are skipped, a quoted field
over several lines is one record named by its first line, and a broken record is refused with that row."""

import pytest

from analysis.core.errors import InputError
from analysis.core.inputs import MAX_FIELD_CHARS, csv_rows


def test_records_are_numbered_by_the_row_they_start_on():
    lines = ["a;b", "", '"two', 'lines";2', " ; ", "3;4"]
    assert csv_rows(lines, "f.csv", ";") == [(1, ["a", "b"]), (3, ["twolines", "2"]), (6, ["3", "4"])]
    assert csv_rows(lines, "f.csv", ";", first_row=4)[-1] == (9, ["3", "4"])  # rows after a title block


def test_a_field_over_the_limit_is_refused_with_the_row_it_starts_on():
    half = "x" * (MAX_FIELD_CHARS // 2 + 1)
    lines = ["a;b", "1;2", "", f'3;"{half}', f'{half}";4', "5;6"]
    with pytest.raises(InputError) as refused:
        csv_rows(lines, "f.csv", ";")
    assert refused.value.row == 4 and "not a well-formed CSV line" in str(refused.value)

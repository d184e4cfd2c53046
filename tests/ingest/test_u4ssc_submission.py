"""The U4SSC submission template and reader: known answers and one error per rule."""

import numpy as np
import pandas as pd
import pytest

from analysis.core import config
from analysis.core.errors import InputError
from analysis.ingest import u4ssc
from analysis.reference.catalog import load_catalog

HEADER = "municipality_code,year,kpi_code,data_point,kpi_name_nb,value,unit,source,comment\n"


def _write(tmp_path, body, name="sub.csv", header=HEADER, encoding="utf-8"):
    p = tmp_path / name
    p.write_text(header + body, encoding=encoding)
    return p


def test_template_has_one_row_per_data_point():
    rows = u4ssc.template_rows()
    assert len(rows) == len(load_catalog()) == 112
    assert rows.loc[3, "kpi_code"] == "EC: ICT: ICT: 4C" and rows.loc[3, "data_point"] == "3G"


def test_bundled_templates_match_the_catalog():
    csv = pd.read_csv(config.TEMPLATES_DIR / "u4ssc_submission.csv", dtype=str, keep_default_na=False)
    xlsx = pd.read_excel(config.TEMPLATES_DIR / "u4ssc_submission.xlsx", dtype=str, keep_default_na=False)
    assert csv.equals(u4ssc.template_rows()) and list(xlsx.columns) == u4ssc.TEMPLATE_COLUMNS
    assert len(xlsx) == 112


def test_filled_xlsx_reads_back(tmp_path):
    path = tmp_path / "t.xlsx"
    u4ssc.write_template(path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["Innrapportering"]
    ws["A2"], ws["B2"], ws["F2"] = "1149", 2020, "97"
    ws["A5"], ws["B5"], ws["F5"] = "1149", 2020, ".."
    wb.save(path)
    res = u4ssc.read_submission(path)
    assert res[["unit_code", "year", "kpi_id"]].values.tolist() == [
        ["1149", 2020, "EC:ICT:ICT:1C"],
        ["1149", 2020, "EC:ICT:ICT:4C:3G"],
    ]
    assert res["value"].iloc[0] == 97.0 and np.isnan(res["value"].iloc[1]) and res["status"].iloc[1] == ".."
    assert res["source_row"].tolist() == [2, 5]


def test_semicolon_and_decimal_comma(tmp_path):
    p = _write(
        tmp_path,
        "1149;2020;EC: ICT: ICT: 3C;;;95 424;per 100 000 inhabitants;Nkom;\n1149;2020;EC:ICT:WS:1C;;;27,27;%;;\n",
        header=HEADER.replace(",", ";"),
    )
    res = u4ssc.read_submission(p)
    assert res["value"].tolist() == [95424.0, 27.27]
    assert res.dtypes["year"] == "int64" and res.dtypes["value"] == "float64"


def test_the_members_named_source_is_the_values_source(tmp_path):
    p = _write(
        tmp_path,
        "1149,2020,EC: ICT: ICT: 3C,,,95424,per 100 000 inhabitants,Nkom  ekomstatistikk,\n"
        "1149,2020,EC:ICT:WS:1C,,,27.27,%,,\n",
        name="karmoy.csv",
    )
    res = u4ssc.read_submission(p)
    assert res["source"].tolist() == [
        "Nkom ekomstatistikk (u4ssc_submission:karmoy.csv)",
        "u4ssc_submission:karmoy.csv",
    ]


@pytest.mark.parametrize(
    "line, field, reason",
    [
        ("1149,2020,EC: XX: 1C,,,5,%,,", "kpi_code", "unknown KPI"),
        ("1149,2020,EC: ICT: ICT: 1C,,,97,kWh,,", "unit", "does not match"),
        ("1149,2020,EC: ICT: ICT: 1C,,,107,%,,", "value", "above 100"),
        ("1149,2020,SC: SH: SA: 3A,,,2,,,", "value", "not 0 or 1"),
        ("1149,2020,EN: EN: WS: 2C,,,-3,,,", "value", "negative"),
        ("1149,2020,EC: ICT: ICT: 1C,,,about 97,%,,", "value", "not a number"),
        ("3201,2020,EC: ICT: ICT: 1C,,,97,%,,", "municipality_code", "not in use in 2020"),
        ("0219,2022,EC: ICT: ICT: 1C,,,97,%,,", "municipality_code", "not in use in 2022"),
    ],
)
def test_each_rule_names_file_row_field(tmp_path, line, field, reason):
    p = _write(tmp_path, "1149,2020,EC: ICT: ICT: 2C,,,84.5,%,,\n" + line + "\n")
    with pytest.raises(InputError) as err:
        u4ssc.read_submission(p)
    assert err.value.row == 3 and err.value.field == field and reason in err.value.reason
    assert str(p) in str(err.value)


def test_duplicates_are_refused(tmp_path):
    p = _write(tmp_path, "1149,2020,EC: ICT: ICT: 2C,,,84.5,%,,\n1149,2020,EC:ICT:ICT:2C,,,85,%,,\n")
    with pytest.raises(InputError, match="row 3, field 'kpi_code': duplicate of row 2"):
        u4ssc.read_submission(p)


def test_every_bad_row_is_reported_in_one_round(tmp_path):
    """A template with several mistakes needs one round of ``check``: each row's problem is named."""
    p = _write(
        tmp_path,
        "1149,2020,EC: ICT: ICT: 2C,,,84.5,%,,\n"  # row 2: fine
        "1149,2020,EC: XX: 1C,,,5,%,,\n"  # row 3: unknown KPI
        "1149,2020,EC: ICT: ICT: 1C,,,107,%,,\n"  # row 4: above 100
        "1149,20x0,EC: ICT: ICT: 3C,,,7,,,\n"  # row 5: not a year
        "3201,2020,EC: ICT: ICT: 1C,,,97,%,,\n",
    )  # row 6: code not in use
    with pytest.raises(InputError) as err:
        u4ssc.read_submission(p)
    found = [(e.row, e.field) for e in err.value.problems]
    assert found == [(3, "kpi_code"), (4, "value"), (5, "year"), (6, "municipality_code")]
    text = str(err.value)
    assert text.startswith("4 problems:") and text.count(str(p)) == 4


def test_real_verification_report_values():
    res = u4ssc.read_verification_values(config.SHARED_DATA_DIR / "u4ssc" / "verification_report_values.csv")
    assert len(res) == 15 and set(res["unit_code"]) == {"1149", "1833"}
    by = res.set_index("kpi_id")["value"]
    assert by["EC:ICT:ICT:1C"] == 97.0 and by["EC:ICT:ICT:3C"] == 95424
    assert by["EC:ICT:ICT:5A"] == 78 and by["EC:I:WS:3C"] == 35.42
    assert by["EC:I:T:4A:para_transport"] == 1.86
    assert res["kpi_id"].is_unique


def test_unit_shortening_must_be_the_start_or_the_end_of_the_catalog_unit():
    from analysis.ingest.u4ssc import _unit_ok
    from analysis.reference.catalog import load_catalog

    row = load_catalog().set_index("kpi_id").loc["EN:E:E:2C"]  # kWh per innb. per år / kWh per capita per year
    assert _unit_ok("kWh", row) and _unit_ok("kWh per innb. per år", row) and _unit_ok("KWH  per capita per year", row)
    assert _unit_ok("per capita per year", row)  # the last words, as ITU's reports shorten units
    assert not _unit_ok("k", row) and not _unit_ok("per innb.", row) and not _unit_ok("MWh", row)

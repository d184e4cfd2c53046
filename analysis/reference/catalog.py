"""The indicator catalog: all 112 U4SSC data points with Norwegian names, units and directions.

The catalog is built from the shared reference list (``u4ssc_kpis.csv``, English, as printed by
ITU or inferred from definitions) plus the project's own supplement (Norwegian names and units,
plausible ranges, which KPIs are shown as figures). The result is committed as
``data/reference/u4ssc_catalog.csv`` so that the project owns it; rebuild it with
``python -m analysis catalog``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.core import config
from analysis.core.errors import InputError
from analysis.core.inputs import read_csv_frame
from analysis.core.schema import slugify

DIRECTIONS = ("higher_is_better", "lower_is_better", "binary", "target_band", "unknown")

DIMENSION_NB = {
    "Economy": "Økonomi",
    "Environment": "Miljø",
    "Society and Culture": "Samfunn og kultur",
}
SUBDIMENSION_NB = {
    "ICT": "IKT",
    "Productivity": "Produktivitet",
    "Infrastructure": "Infrastruktur",
    "Environment": "Miljø",
    "Energy": "Energi",
    "Education, Health and Culture": "Utdanning, helse og kultur",
    "Safety, Housing and Social Inclusion": "Trygghet, bolig og sosial inkludering",
}
CATEGORY_NB = {
    "ICT Infrastructure": "IKT-infrastruktur",
    "Water and Sanitation": "Vann og avløp",
    "Drainage": "Overvann",
    "Electricity Supply": "Strømforsyning",
    "Transport": "Transport",
    "Public Sector": "Offentlig sektor",
    "Innovation": "Innovasjon",
    "Employment": "Sysselsetting",
    "Waste": "Avfall",
    "Buildings": "Bygninger",
    "Urban Planning": "Byplanlegging",
    "Air Quality": "Luftkvalitet",
    "Environmental Quality": "Miljøkvalitet",
    "Public Space and Nature": "Offentlige rom og natur",
    "Energy": "Energi",
    "Education": "Utdanning",
    "Health": "Helse",
    "Culture": "Kultur",
    "Housing": "Bolig",
    "Social Inclusion": "Sosial inkludering",
    "Safety": "Trygghet",
    "Food Security": "Matsikkerhet",
}

CATALOG_COLUMNS = [
    "kpi_id",
    "code",
    "data_point",
    "name_nb",
    "name_en",
    "dimension",
    "dimension_nb",
    "subdimension",
    "subdimension_nb",
    "category",
    "category_nb",
    "core_or_advanced",
    "unit",
    "unit_nb",
    "direction",
    "direction_inferred",
    "sdg_goals",
    "inferred_fields",
    "demo_low",
    "demo_high",
    "key",
    "slug",
]


def normalise_code(code: str) -> str:
    """``'EC: ICT: ICT: 1C'`` -> ``'EC:ICT:ICT:1C'`` (sources differ in spacing)."""
    return re.sub(r"\s+", "", str(code)).upper()


def make_kpi_id(code: str, data_point: str | None = None) -> str:
    """The project's key for one data point: the normalised code plus the data point, if any."""
    base = normalise_code(code)
    if data_point is None or (isinstance(data_point, float) and pd.isna(data_point)) or not str(data_point).strip():
        return base
    return f"{base}:{str(data_point).strip().replace(' ', '_')}"


def build_catalog(reference_csv: Path | None = None, supplement_csv: Path | None = None) -> pd.DataFrame:
    """Join the shared reference list with the project's supplement; every data point must match."""
    reference_csv = Path(reference_csv or config.SHARED_KPI_CSV)
    supplement_csv = Path(supplement_csv or config.REFERENCE_DIR / "kpi_supplement.csv")
    ref = read_csv_frame(reference_csv, "the U4SSC reference list")
    sup = read_csv_frame(supplement_csv, "the catalog supplement")
    for col in ("demo_low", "demo_high", "key"):
        try:
            sup[col] = pd.to_numeric(sup[col])
        except (KeyError, ValueError) as exc:
            raise InputError(supplement_csv, f"{col} must be a column of numbers ({exc})", field=col) from None
    ref["kpi_id"] = [make_kpi_id(c, d) for c, d in zip(ref["code"], ref["data_point"])]
    dup = ref["kpi_id"][ref["kpi_id"].duplicated()]
    if len(dup):
        raise InputError(reference_csv, f"duplicate data point {dup.iloc[0]!r}", field="code")
    missing = sorted(set(ref["kpi_id"]) - set(sup["kpi_id"]))
    extra = sorted(set(sup["kpi_id"]) - set(ref["kpi_id"]))
    if missing or extra:
        raise InputError(
            supplement_csv,
            f"supplement does not match the reference list: missing {missing[:5]}, unknown {extra[:5]}",
            field="kpi_id",
        )
    bad_dir = ref.loc[~ref["direction"].isin(DIRECTIONS)]
    if len(bad_dir):
        row = int(bad_dir.index[0]) + 2
        raise InputError(
            reference_csv, f"unknown direction {bad_dir['direction'].iloc[0]!r}", row=row, field="direction"
        )
    cat = ref.merge(sup, on="kpi_id", how="left", validate="one_to_one")
    cat["code"] = cat["code"].map(normalise_code)
    cat["dimension_nb"] = cat["dimension"].map(DIMENSION_NB)
    cat["subdimension_nb"] = cat["subdimension"].map(SUBDIMENSION_NB)
    cat["category_nb"] = cat["category"].map(CATEGORY_NB)
    cat["direction_inferred"] = cat["inferred_fields"].str.contains("direction")
    cat["key"] = cat["key"].astype(int).astype(bool)
    cat["slug"] = cat["kpi_id"].map(slugify)
    for col in ("dimension_nb", "subdimension_nb", "category_nb"):
        if cat[col].isna().any():
            raise InputError(
                reference_csv,
                f"no Norwegian name for {col[:-3]} {cat.loc[cat[col].isna(), col[:-3]].iloc[0]!r}",
                field=col[:-3],
            )
    return cat[CATALOG_COLUMNS]


def write_catalog(catalog: pd.DataFrame, path: Path | None = None) -> Path:
    from analysis.core.atomic import write_atomic_csv

    path = Path(path or config.CATALOG_CSV)
    write_atomic_csv(catalog, path)
    return path


def load_catalog(path: Path | None = None) -> pd.DataFrame:
    """The committed catalog, one row per data point, in reference order."""
    path = Path(path or config.CATALOG_CSV)
    cat = read_csv_frame(path, "the indicator catalog")
    missing = [c for c in CATALOG_COLUMNS if c not in cat.columns]
    if missing:
        raise InputError(path, f"missing columns {missing}; rebuild it with `python -m analysis catalog`", row=1)
    try:
        cat["demo_low"] = cat["demo_low"].astype(float)
        cat["demo_high"] = cat["demo_high"].astype(float)
    except ValueError as exc:
        raise InputError(path, f"demo_low/demo_high must be numbers ({exc})", field="demo_low") from None
    cat["key"] = cat["key"].map({"True": True, "False": False})
    cat["direction_inferred"] = cat["direction_inferred"].map({"True": True, "False": False})
    return cat

"""From raw inputs to the tidy processed tables and the statistics every page reads.

``read_inputs`` reads and checks ``data/raw`` + ``data/reference`` + ``params`` (catalog, unit
registry, observations, targets); ``write_processed`` writes them to ``data/processed``. The
statistics come after this stage (:mod:`analysis.stats`); :func:`analysis.build.build_data` runs
both and writes nothing until every input has been read and checked.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core import config
from analysis.core.atomic import write_atomic_parquet, write_atomic_text
from analysis.core.clock import build_date
from analysis.core.errors import InputError, Problems
from analysis.core.schema import (
    BORDERS_YEAR,
    OBSERVATION_COLUMNS,
    PROCESSED_OBSERVATION_COLUMNS,
    TARGET_FILE_COLUMNS,
)
from analysis.core.settings import MethodSettings, ReportSettings, load_report_settings
from analysis.process.demo import generate_observations
from analysis.process.population import with_population_facts
from analysis.reference.indicators import full_catalog
from analysis.reference.members import load_units, network_name

#: A number as the targets file writes it: a decimal point, no thousands separator ("97.5", "122630.148").
#: Digits are 0-9 only: float() would also read a fullwidth "９７.５".
_TARGET_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
LAST_TARGET_YEAR = 2100


def load_targets(
    path: Path,
    catalog: pd.DataFrame,
    units: pd.DataFrame,
    default_target_year: int,
    base_year: int | None = None,
) -> pd.DataFrame:
    """Network (``unit_code`` empty) and local targets, checked against the catalog and the members.

    Refused, every problem of the file at once with its row and field: a file that is not UTF-8 or whose
    rows do not have the header's fields, an unknown KPI, a local target for a code that does not exist, a
    target that is not a finite number (``inf``, ``nan``, ``97,5``), a target or band outside the KPI's
    range (a percentage above 100, a yes/no target other than 0 or 1, a negative count), a band with one
    end, a band for a KPI that has none, or whose low end is above its high end, a target year that is
    not four digits 0-9, lies before ``base_year`` or after ``LAST_TARGET_YEAR``, a second target for the
    same KPI and unit, and a local target of a unit that is not a member of this network: it would never be
    used, and a target that silently does nothing is how a member's own target gets lost (a code typed wrong,
    a member dropped from ``params/network.yaml`` whose targets were meant to go with it).
    """
    from analysis.core.inputs import MB, csv_table, foreign_digit, read_bytes
    from analysis.reference.geography import code_valid_in, name_of
    from analysis.reference.plausibility import kpi_range, whole_variables

    header, rows = csv_table(read_bytes(path, MB, "a targets file"), path, "the targets file", ",")
    missing = [c for c in TARGET_FILE_COLUMNS if c not in header]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}", row=1, field=missing[0])
    if not rows:  # every status would say "no target", and nothing would say why
        raise InputError(path, "a header and no rows: the targets file sets no target", row=1)
    cat = catalog.set_index("kpi_id")
    members = set(units.loc[units["is_member"], "unit_code"])
    counts = whole_variables(cat.index)
    problems = Problems()
    records, seen = [], {}
    for i, rec in rows:

        def refuse(field: str, reason: str, row: int = i) -> None:
            problems.add(InputError(path, reason, row=row, field=field))

        kpi, code = rec["kpi_id"], rec["unit_code"]
        if kpi not in cat.index:
            refuse("kpi_id", f"unknown KPI {kpi!r}")
        if code and code not in members:
            if code_valid_in(code, BORDERS_YEAR):
                refuse(
                    "unit_code",
                    f"{code} ({name_of(code)}) is not a member of this network (params/network.yaml): a local "
                    "target of it would never be used; remove the row, or add the member",
                )
            else:
                why = foreign_digit(code) or f"{code!r} is not a municipality or county code in {BORDERS_YEAR} borders"
                refuse("unit_code", why)
        numbers: dict[str, float] = {}
        for field in ("target", "target_year", "band_low", "band_high"):
            text = rec[field]
            if text == "" and field != "target":
                continue
            if not _TARGET_NUMBER.fullmatch(text) or not np.isfinite(float(text)):
                why = "is missing" if text == "" else f"{text!r} is not a number"
                why = foreign_digit(text) or f"{why} (the targets file writes numbers with a decimal point, e.g. 97.5)"
                refuse(field, why)
                continue
            numbers[field] = float(text)
        year = numbers.get("target_year")
        if year is not None:
            if not re.fullmatch(r"[0-9]{4}", rec["target_year"]):
                refuse("target_year", f"{rec['target_year']!r} is not a year (four digits 0-9, such as 2030)")
            elif base_year is not None and year < base_year:
                refuse(
                    "target_year", f"target year {year:.0f} is before the base year {base_year} (params/report.yaml)"
                )
            elif year > LAST_TARGET_YEAR:
                refuse("target_year", f"target year {year:.0f} is after {LAST_TARGET_YEAR}")
        if kpi in cat.index:
            low, high, why = kpi_range(str(cat.at[kpi, "unit"]), str(cat.at[kpi, "direction"]))
            for field in ("target", "band_low", "band_high"):
                v = numbers.get(field)
                if v is None:
                    continue
                if v < low or v > high or (why.startswith("yes/no") and v not in (0.0, 1.0)):
                    refuse(field, f"{field.replace('_', ' ')} {v:g} for {kpi} ({cat.at[kpi, 'unit']}): {why}")
                elif kpi in counts and not v.is_integer():
                    refuse(
                        field,
                        f"{field.replace('_', ' ')} {v:g} for {kpi} ({cat.at[kpi, 'unit']}) is not a whole number: "
                        "it counts things (data/reference/plausibility.csv)",
                    )
        given = [f for f in ("band_low", "band_high") if rec[f] != ""]
        if given and kpi in cat.index and cat.at[kpi, "direction"] != "target_band":
            refuse(given[0], f"{kpi} has no target band (its direction is {cat.at[kpi, 'direction']}); leave it empty")
        elif len(given) == 1:
            refuse(given[0], "a band needs both ends, band_low and band_high")
        if "band_low" in numbers and "band_high" in numbers and numbers["band_low"] > numbers["band_high"]:
            refuse(
                "band_low", f"the band's low end {numbers['band_low']:g} is above its high end {numbers['band_high']:g}"
            )
        if (kpi, code) in seen:
            refuse("kpi_id", f"a second target for the same KPI and unit (the first is in row {seen[kpi, code]})")
        seen.setdefault((kpi, code), i)
        records.append(rec)
    problems.raise_if_any()
    out = pd.DataFrame(records, columns=header)[TARGET_FILE_COLUMNS]
    for field in ("target", "band_low", "band_high"):
        out[field] = pd.to_numeric(out[field].replace("", np.nan))
    out["target_year"] = (
        pd.to_numeric(out["target_year"].replace("", np.nan)).fillna(default_target_year).astype("int64")
    )
    return out


def load_observations(
    settings: ReportSettings, units: pd.DataFrame, catalog: pd.DataFrame, folder: Path | None = None
) -> pd.DataFrame:
    """The tidy observations the report is built from: the seeded demo, or what ``ingest`` produced (in
    ``folder``, by default ``data/processed/ingested``; the build's ingest step names a new one)."""
    if settings.data == "demo":  # invented numbers for the U4SSC data points only, never for the network's own
        u4ssc = catalog.loc[catalog["origin"] == "u4ssc"] if "origin" in catalog else catalog
        return generate_observations(units, u4ssc, settings.first_year, settings.report_year).assign(note="")
    folder = Path(folder or config.PROCESSED_DIR / "ingested")
    files = sorted(folder.glob("*.parquet"))
    if not files:
        raise InputError(
            folder,
            "no ingested files: put the raw files in data/raw/<source>/ (with a recipe.yaml where they need one) "
            "or run `python -m analysis ingest FOLDER` first",
        )
    obs = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    obs = obs.loc[obs["kpi_id"].isin(catalog["kpi_id"])]
    former_members = set(units.loc[units["valid_to"].notna(), "unit_code"])
    obs, left_out = in_report_borders(obs, BORDERS_YEAR, keep=former_members)
    for row in left_out.drop_duplicates(["unit_code", "year"]).itertuples(index=False):
        print(f"note: {row.unit_code} {row.year} left out: {row.reason} (said on the member's page)")
    obs = obs.loc[obs["unit_code"].isin(units["unit_code"])]
    obs = pd.concat([obs, left_out_rows(obs, left_out, units, BORDERS_YEAR)], ignore_index=True)
    return obs[[*OBSERVATION_COLUMNS, "note"]].reset_index(drop=True)


def in_report_borders(
    obs: pd.DataFrame, borders_year: int, keep: set[str] = frozenset()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Express KPI values reported under older codes in the borders of ``borders_year``.

    Most KPI values are shares and rates, which cannot be summed without their numerators: a 1→1
    change (same code, or renumbered such as Bærum 3024 → 3201) carries a value across a reform; a
    split carries it to the unit that continues the old one (Ålesund 1507 → 1508) with a ``note``
    that the series breaks there; a merger cannot, so those rows are returned separately with the
    reason, never averaged. Codes in ``keep`` (a member that no longer exists, such as Viken) stay.
    """
    from analysis.reference import geography

    parts, left_out = [], []
    # codes follow the borders named in code_year where a reader recorded it, else those of the data year
    code_years = obs["code_year"].fillna(obs["year"]) if "code_year" in obs else obs["year"]
    for code_year, group in obs.groupby(code_years.clip(upper=borders_year).astype(int)):
        codes = group["unit_code"]
        mapping = pd.concat(
            [geography.mapping_to(borders_year, int(code_year), level=level) for level in ("municipality", "county")],
            ignore_index=True,
        )
        split = mapping["from_code"].duplicated(keep=False)
        continued = mapping.loc[split & mapping["carries_value"]].set_index("from_code")["to_code"]
        one_to_one = mapping.loc[~split & mapping["kind"].isin(["same", "renumbered"])].set_index("from_code")[
            "to_code"
        ]
        target = codes.map(one_to_one).astype(object).fillna(codes.map(continued).astype(object))
        target = target.where(~(codes.isin(keep) | (codes == "0")), codes)
        mapped = group.loc[target.notna()].copy()
        mapped["unit_code"] = target[target.notna()]
        carried = codes[target.notna()]
        broken = carried.isin(continued.index).to_numpy()
        mapped["note"] = ""
        mapped.loc[broken, "note"] = [
            f"{code} {geography.name_of(code)} ({code_year}) omfattet mer enn {new} gjør i dag: brudd i serien"
            for code, new in zip(carried[broken], mapped.loc[broken, "unit_code"])
        ]
        county_changes = geography.county_area_changes(borders_year, int(code_year))
        moved = (carried.isin(county_changes) & ~carried.isin(keep)).to_numpy()
        mapped.loc[moved, "note"] = carried[moved].map(county_changes).to_numpy()
        parts.append(mapped)
        rest = group.loc[target.isna(), [c for c in ("unit_code", "year", "kpi_id", "source", "vintage") if c in group]]
        rest = rest.assign(code_year=int(code_year))
        lost = codes[target.isna()]
        rest["reason"] = np.select(
            [lost.isin(mapping.loc[split, "from_code"]), lost.isin(mapping["from_code"])],
            [
                "split in a reform, and no successor continues it: a share cannot be apportioned",
                "merged in a reform: a share cannot be carried over without its parts",
            ],
            f"code unknown in the registry for {code_year}",
        )
        left_out.append(rest)
    return (
        pd.concat(parts, ignore_index=True) if parts else obs.iloc[:0].assign(note=""),
        pd.concat(left_out, ignore_index=True) if left_out else pd.DataFrame(columns=["unit_code", "year", "reason"]),
    )


#: How a row left out of the computation says so in ``note`` (the derived indicators' rows use it too).
LEFT_OUT_PREFIX = "utelatt: "


def left_out_rows(obs: pd.DataFrame, left_out: pd.DataFrame, units: pd.DataFrame, borders_year: int) -> pd.DataFrame:
    """A row for each value a border change left out, on the member(s) whose 2024 area holds the old unit:
    no value, SSB's ``..`` and the reason in ``note`` as ``utelatt: <split|merged|unknown> <old code> <year>``
    (the page says it in words, :func:`analysis.pages.language.border_left_out_phrase`), so that the member's
    page and CSV say what was left out and why instead of the value silently missing. A member that has a
    value of its own for that KPI and year keeps it and gets no such row."""
    from analysis.reference import geography

    if left_out.empty or "kpi_id" not in left_out:
        return obs.iloc[:0]
    members = set(units.loc[units["is_member"], "unit_code"])
    rows = []
    for code_year, group in left_out.groupby("code_year"):
        mapping = pd.concat(
            [geography.mapping_to(borders_year, int(code_year), level=level) for level in ("municipality", "county")],
            ignore_index=True,
        )
        heirs = mapping.loc[mapping["to_code"].isin(members)].groupby("from_code")["to_code"].agg(list)
        for r in group.itertuples(index=False):
            for heir in heirs.get(r.unit_code, []):
                kind = r.reason.split(" ")[0] if r.reason.startswith(("split", "merged")) else "unknown"
                rows.append(
                    {
                        "unit_code": heir,
                        "year": int(r.year),
                        "kpi_id": r.kpi_id,
                        "value": np.nan,
                        "status": "..",
                        "source": getattr(r, "source", ""),
                        "vintage": getattr(r, "vintage", ""),
                        "note": f"{LEFT_OUT_PREFIX}{kind} {r.unit_code} {int(r.year)}",
                        "_old": r.unit_code,
                    }
                )
    if not rows:
        return obs.iloc[:0]
    keys = ["unit_code", "year", "kpi_id"]
    extra = (
        pd.DataFrame(rows)
        .sort_values("_old")
        .groupby(keys, as_index=False, sort=False)
        .agg(  # Notodden 2019: two old units
            {"value": "first", "status": "first", "source": "first", "vintage": "first", "note": "; ".join}
        )
    )
    extra["note"] = LEFT_OUT_PREFIX + extra["note"].str.replace(LEFT_OUT_PREFIX, "", regex=False)
    have = obs.set_index(keys).index
    extra = extra.loc[~extra.set_index(keys).index.isin(have)]
    return extra.astype({"year": obs["year"].dtype}) if len(extra) else obs.iloc[:0]


def with_derived(obs: pd.DataFrame, catalog: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The observations plus the derived indicators' rows (``formula`` in params/indicators.yaml), computed
    from them and the population once for all units; a value left out is a row saying why, and is named here."""
    from analysis.process.derived import derive, population_for

    rows = derive(obs, catalog, population_for(catalog, units))
    if rows.empty:
        return obs
    rows = rows.loc[rows["unit_code"].isin(units["unit_code"])]
    left = rows.loc[rows["status"] == ".."]
    if len(left):
        print(
            f"note: {len(left)} derived values left out (the reason is on the member's page), e.g. "
            f"{left['kpi_id'].iloc[0]} {left['unit_code'].iloc[0]} {left['year'].iloc[0]}: {left['note'].iloc[0]}"
        )
    computed = set(rows["kpi_id"])
    if obs["kpi_id"].isin(computed).any():
        replaced = sorted(set(obs["kpi_id"]) & computed)
        print(f"note: submitted values of derived indicators replaced by the computed ones: {replaced}")
    kept = obs.loc[~obs["kpi_id"].isin(computed)]  # a derived indicator is computed, never also submitted
    return pd.concat([kept, rows[kept.columns]], ignore_index=True)


def check_observations(obs: pd.DataFrame, catalog: pd.DataFrame, units: pd.DataFrame, where: str) -> None:
    """Schema, per-KPI rules and codes (all in the borders the members are listed in) before anything is written."""
    from analysis.validate.observations import validate_observations

    valid_to = obs["unit_code"].map(units.set_index("unit_code")["valid_to"]).astype("Float64")
    code_year = valid_to.fillna(BORDERS_YEAR).clip(upper=BORDERS_YEAR).astype("int64")
    validate_observations(obs.assign(code_year=code_year.to_numpy()), catalog, where)


def indicator_page_ids(catalog: pd.DataFrame, which: str) -> list[str]:
    """The KPIs that get a page of their own (report setting ``indicator_pages``)."""
    if which == "none":
        return []
    return catalog.loc[catalog["key"] | (which == "all"), "kpi_id"].tolist()


@dataclass(frozen=True)
class ProcessedInputs:
    """Everything the statistics and the pages are built from, read and checked, not yet written."""

    settings: ReportSettings
    catalog: pd.DataFrame
    units: pd.DataFrame
    targets: pd.DataFrame
    observations: pd.DataFrame
    network_name: str


def read_inputs(settings: ReportSettings | None = None, ingested: Path | None = None) -> ProcessedInputs:
    """Read and check the catalog, the members, the targets and the observations (with ``data: ingested``
    from the folder ``ingested``, by default data/processed/ingested); write nothing."""
    settings = settings or load_report_settings()
    catalog = full_catalog()
    units = with_population_facts(load_units())
    targets = load_targets(settings.targets, catalog, units, settings.default_target_year, settings.base_year)
    obs = with_derived(load_observations(settings, units, catalog, ingested), catalog, units)
    check_observations(obs, catalog, units, "observations")
    obs = with_warnings(obs, "observations")
    return ProcessedInputs(settings, catalog, units, targets, obs, network_name())


#: At most this many warned values are printed one by one by the build; ``check`` names each in its file.
WARNINGS_PRINTED = 10


def with_warnings(obs: pd.DataFrame, where: str, out=None) -> pd.DataFrame:
    """The observations with ``warning``: the soft plausibility rules each value lies outside. A warned value
    is kept (it is possible, only unusual), named on the terminal and shown on its member's page."""
    from analysis.reference.plausibility import warnings_of

    names, notes = warnings_of(obs, where)
    warned = int((names != "").sum())
    for note in notes[:WARNINGS_PRINTED]:
        print(f"warning: {note}", file=out)
    if warned:
        print(f"note: {warned} values accepted with a warning (shown as «Merknad» on their pages)", file=out)
    return obs.assign(warning=names.astype(str).to_numpy())[PROCESSED_OBSERVATION_COLUMNS]


def write_processed(inputs: ProcessedInputs, out_dir: Path, methods: MethodSettings | None = None) -> None:
    """The tidy tables and ``metadata.json`` (with the method choices the results used), each written atomically."""
    settings, catalog, obs = inputs.settings, inputs.catalog, inputs.observations
    write_atomic_parquet(catalog, out_dir / "catalog.parquet")
    write_atomic_parquet(inputs.units, out_dir / "units.parquet")
    write_atomic_parquet(inputs.targets, out_dir / "targets.parquet")
    write_atomic_parquet(obs, out_dir / "observations.parquet")
    meta = {
        "network_name": inputs.network_name,
        "data_mode": settings.data,
        "report_year": settings.report_year,
        "base_year": settings.base_year,
        "default_target_year": settings.default_target_year,
        "sources": sorted(obs["source"].unique().tolist()),
        "vintages": sorted(obs["vintage"].unique().tolist()),
        "built": build_date().isoformat(),  # SOURCE_DATE_EPOCH when set
        "indicator_pages": indicator_page_ids(catalog, settings.indicator_pages),
        "methods": dataclasses.asdict(methods or MethodSettings()),
    }
    write_atomic_text(json.dumps(meta, ensure_ascii=False, indent=2), out_dir / "metadata.json")

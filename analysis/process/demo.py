"""Seeded demonstration data, so the whole site builds with no internet and no real inputs.

Every figure made here is invented (plausible ranges per KPI, a trend per unit and KPI, noise),
and every page built from it says so. The same seed gives the same numbers on every machine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEMO_SEED = 2020
DEMO_SOURCE = "Demonstrasjonsdata (generert, ikke ekte tall)"
DEMO_VINTAGE = f"demo-seed-{DEMO_SEED}"


def _is_percent(unit_nb: str) -> bool:
    return unit_nb.startswith("%")


def generate_observations(
    units: pd.DataFrame, catalog: pd.DataFrame, first_year: int = 2015, last_year: int = 2024, seed: int = DEMO_SEED
) -> pd.DataFrame:
    """One row per unit × year × KPI (tidy observation columns), with a few missing and suppressed cells.

    A unit with ``valid_from``/``valid_to`` (Viken) only gets the years it existed. Binary KPIs
    switch from 0 to 1 at most once. About 1 % of cells are dropped (not reported), 0.5 % carry
    SSB's ``..`` (missing) and 0.3 % ``:`` (confidential), with the value left empty.
    """
    rng = np.random.default_rng(seed)
    years = np.arange(first_year, last_year + 1)
    codes, kpis, all_years, all_values = [], [], [], []  # one frame at the end: 41 784 small ones cost 35 s
    for unit in units.itertuples(index=False):
        lo_year = max(first_year, unit.valid_from) if pd.notna(unit.valid_from) else first_year
        hi_year = min(last_year, unit.valid_to) if pd.notna(unit.valid_to) else last_year
        unit_years = years[(years >= lo_year) & (years <= hi_year)]
        t = unit_years - first_year
        for kpi in catalog.itertuples(index=False):
            low, high = kpi.demo_low, kpi.demo_high
            span = high - low
            if kpi.direction == "binary":
                switch = rng.integers(0, len(years) + 4)  # some never switch within the period
                values = (t >= switch).astype(float)
            else:
                level = rng.uniform(low + 0.15 * span, high - 0.15 * span)
                # drift per year: a share of the range, towards "better" more often than not
                sign = {"higher_is_better": 1, "lower_is_better": -1}.get(kpi.direction, 0)
                drift = span * rng.normal(0.012 * sign, 0.02)
                noise = rng.normal(0, 0.025 * span, size=len(t))
                values = level + drift * (t - t.mean()) + noise
                floor = 0.0 if low >= 0 else -np.inf
                ceiling = 100.0 if _is_percent(kpi.unit_nb) else np.inf
                values = np.clip(values, floor, ceiling)
            codes.append(np.repeat(unit.unit_code, len(unit_years)))
            kpis.append(np.repeat(kpi.kpi_id, len(unit_years)))
            all_years.append(unit_years)
            all_values.append(np.asarray(values, dtype=float))
    obs = pd.DataFrame(
        {
            "unit_code": pd.array(np.concatenate(codes), dtype="str"),
            "year": np.concatenate(all_years),
            "kpi_id": pd.array(np.concatenate(kpis), dtype="str"),
            "value": np.concatenate(all_values),
        }
    )
    obs["status"] = ""
    draw = rng.random(len(obs))
    obs.loc[draw < 0.005, "status"] = ".."
    obs.loc[(draw >= 0.005) & (draw < 0.008), "status"] = ":"
    obs.loc[obs["status"] != "", "value"] = np.nan
    dropped = (draw >= 0.008) & (draw < 0.018)
    obs = obs.loc[~dropped].reset_index(drop=True)
    obs["value"] = _round_like_reported(obs, catalog)
    obs["source"] = DEMO_SOURCE
    obs["vintage"] = DEMO_VINTAGE
    obs["year"] = obs["year"].astype("int64")
    return obs.sort_values(["unit_code", "kpi_id", "year"], ignore_index=True)


def _round_like_reported(obs: pd.DataFrame, catalog: pd.DataFrame) -> pd.Series:
    """Round to the precision a municipality would report: fewer decimals for larger numbers, none for a KPI
    that counts things (Wi-Fi hotspots, open datasets), which the plausibility rules say must be whole."""
    from analysis.reference.plausibility import whole_variables

    high = obs["kpi_id"].map(catalog.set_index("kpi_id")["demo_high"])
    counts = obs["kpi_id"].isin(whole_variables(catalog["kpi_id"]))
    decimals = np.select([counts, high >= 1000, high >= 50, high >= 5], [0, 0, 1, 2], default=3)
    return pd.Series(np.round(obs["value"].to_numpy() * 10.0**decimals) / 10.0**decimals, index=obs.index)


def generate_targets(catalog: pd.DataFrame, target_year: int = 2030, seed: int = DEMO_SEED) -> pd.DataFrame:
    """Network targets for the demo: near the good end of each KPI's range; none for unknown direction.

    Also two local targets (Trondheim and Stavanger on greenhouse gas emissions) to show how a
    member's own target overrides the network's.
    """
    from analysis.reference.plausibility import whole_variables

    rng = np.random.default_rng(seed + 1)
    counts = whole_variables(catalog["kpi_id"])  # a target of Wi-Fi hotspots is a whole number of them
    rows = []
    for kpi in catalog.itertuples(index=False):
        low, high = kpi.demo_low, kpi.demo_high
        span = high - low
        band_low = band_high = np.nan
        if kpi.direction == "higher_is_better":
            target = high - rng.uniform(0, 0.1) * span
        elif kpi.direction == "lower_is_better":
            target = low + rng.uniform(0, 0.1) * span
        elif kpi.direction == "binary":
            target = 1.0
        elif kpi.direction == "target_band":
            target, band_low, band_high = 1.0, 0.97, 1.03
        else:
            continue
        rows.append(
            {
                "kpi_id": kpi.kpi_id,
                "unit_code": "",
                "target": float(np.round(target, 0 if kpi.kpi_id in counts else 3)),
                "target_year": target_year,
                "band_low": band_low,
                "band_high": band_high,
                "source": "Demonstrasjonsmål for nettverket",
            }
        )
    for code, target in (("5001", 2.0), ("1103", 2.5)):
        rows.append(
            {
                "kpi_id": "EN:EN:AQ:2C",
                "unit_code": code,
                "target": target,
                "target_year": 2030,
                "band_low": np.nan,
                "band_high": np.nan,
                "source": "Demonstrasjonsmål (lokalt)",
            }
        )
    return pd.DataFrame(rows)

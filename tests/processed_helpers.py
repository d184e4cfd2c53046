"""A tiny processed-data folder (one KPI, one member, two years) for the tests of loading it once per kernel."""

import json

import pandas as pd


def write_processed(folder, value: float = 1.5):
    (folder / "results").mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"kpi_id": ["A"], "name_nb": ["Indikator A"]}).to_parquet(folder / "catalog.parquet")
    pd.DataFrame({"unit_code": ["5001"], "name": ["Trondheim"], "is_member": [True]}).to_parquet(
        folder / "units.parquet"
    )
    pd.DataFrame(
        {"unit_code": ["5001", "5001"], "kpi_id": ["A", "A"], "year": [2023, 2024], "value": [value, 2.5]}
    ).to_parquet(folder / "observations.parquet")
    pd.DataFrame({"kpi_id": ["A"], "unit_code": [""], "target": [3.0]}).to_parquet(folder / "targets.parquet")
    pd.DataFrame({"unit_code": ["5001"], "kpi_id": ["A"], "slope": [1.0]}).to_parquet(
        folder / "results" / "trends.parquet"
    )
    (folder / "metadata.json").write_text(json.dumps({"report_year": 2024, "vintages": ["v1"]}), encoding="utf-8")
    return folder

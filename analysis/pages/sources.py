"""Where each number on a page comes from: the page's sources, listed once each with what they supply.

A page shows values of several origins: a member's own U4SSC submission (with the source the member
named for each value), a recipe's table (the recipe's ``source``), an SSB export, a derived value
(formula and population source), or the demonstration data. The footer names the build's versions; this
section names, for the values on *this* page, each source with its version, the indicators (a member's
page) or the members (an indicator's page) it supplies and the years. The page's CSV download carries
the source of every single value (column «Kilde»), and the section says so.
"""

from __future__ import annotations

import pandas as pd

from analysis.pages import language
from analysis.pages.content import catalog
from analysis.pages.present import Md, esc, markdown_table
from analysis.pages.report_data import ReportData

#: Up to this many indicators or members are named in a source's row; more are counted.
NAMED_MAX = 8


def _years(years: pd.Series) -> str:
    first, last = int(years.min()), int(years.max())
    return str(first) if first == last else f"{first}–{last}"


def page_sources(data: ReportData, unit_code: str | None = None, kpi_id: str | None = None) -> pd.DataFrame:
    """One row per source and version of the values a page shows (``source, vintage, names, years``):
    a member's page (``unit_code``) its values up to the report year, an indicator's page (``kpi_id``)
    the members' values of that indicator. ``names`` are the indicators or members each source supplies,
    in the page's order."""
    obs = data.observations
    shown = obs["value"].notna() & (obs["year"] <= data.report_year)
    if unit_code is not None:
        rows = obs.loc[shown & (obs["unit_code"] == unit_code)]
        order = data.catalog["kpi_id"].tolist()
        names = dict(zip(data.catalog["kpi_id"], catalog(data)["kpi_name"]))
        key = "kpi_id"
    else:
        members = data.members
        rows = obs.loc[shown & (obs["kpi_id"] == kpi_id) & obs["unit_code"].isin(members["unit_code"])]
        order = members["unit_code"].tolist()
        names = dict(zip(members["unit_code"], members["name"]))
        key = "unit_code"
    rank = {k: i for i, k in enumerate(order)}
    out = []
    for (source, vintage), group in rows.groupby(["source", "vintage"], sort=True, dropna=False):
        keys = sorted(group[key].unique(), key=lambda k: rank.get(k, len(rank)))
        out.append(
            {
                "source": "" if pd.isna(source) else str(source),
                "vintage": "" if pd.isna(vintage) else str(vintage),
                "names": [str(names.get(k, k)) for k in keys],
                "years": _years(group["year"]),
            }
        )
    return pd.DataFrame(out, columns=["source", "vintage", "names", "years"])


def sources_markdown(data: ReportData, unit_code: str | None = None, kpi_id: str | None = None) -> str:
    """The page's «Kilder» section: a heading, one sentence, and a table of its sources."""
    t = language.texts().SOURCES
    table = page_sources(data, unit_code=unit_code, kpi_id=kpi_id)
    if table.empty:
        return f"## {t['heading']}\n\n{t['none']}\n"
    counted = t["kpis"] if unit_code is not None else t["members"]

    def supplies(names: list[str]) -> str:
        if len(names) <= NAMED_MAX:
            return "; ".join(esc(n) for n in names)
        return counted.format(n=len(names))

    shown = pd.DataFrame(
        {
            t["source"]: table["source"],
            t["vintage"]: table["vintage"],
            t["supplies_kpis" if unit_code is not None else "supplies_members"]: [
                Md(supplies(n)) for n in table["names"]
            ],
            t["years"]: table["years"],
        }
    )
    return f"## {t['heading']}\n\n{t['intro']}\n\n{markdown_table(shown)}\n"

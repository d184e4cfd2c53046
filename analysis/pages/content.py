"""The content of each page, as tables and Markdown, from the processed tables.

A notebook cell calls one function here and shows what it returns; each page's CSV download
(:mod:`analysis.site.downloads`) is made from the same functions, so it holds the numbers on the page.

Every string from data (names, labels, notes, sources) enters Markdown through
:func:`~analysis.pages.present.esc` or a :func:`~analysis.pages.present.markdown_table` cell;
figure captions and alt text are escaped by :func:`~analysis.pages.present.figure_html`.
"""

from __future__ import annotations

import pandas as pd

from analysis.pages import figures, language, maps
from analysis.pages.present import (
    BAND_ORDER,
    NBSP,
    Md,
    bands,
    convergences,
    count_of,
    data_note,
    directions,
    esc,
    fmt_achieved,
    fmt_kpi_value,
    fmt_number,
    fmt_p,
    fmt_percent,
    fmt_target,
    fmt_year,
    link,
    markdown_table,
    member_title,
    nb_sorted,
    p_text,
    progress_labels,
    unit_types,
    verdicts,
)
from analysis.pages.report_data import ReportData
from analysis.stats.trends import MIN_POINTS

SIGNIFICANCE_Q = 0.05


def _t():
    """The text module of the page's language (read at call time: one kernel writes pages in both languages)."""
    return language.texts()


def catalog(data: ReportData) -> pd.DataFrame:
    """The catalog with the KPI's texts in the page's language: ``kpi_name``, ``kpi_unit``, ``kpi_dimension``,
    ``kpi_subdimension``, ``kpi_category`` (in English the U4SSC catalog's English name and unit; an own
    indicator's ``name_en`` where given, else its Norwegian name and unit). Every page text about a KPI reads
    these, so the KPI is named the same way in tables, figures, maps and downloads.

    Made once per catalog and language (a national member page's tables asked eight times, 17 ms each; the
    downloads some 3 000 times); every caller gets a frame of its own (copy-on-write)."""
    lang = language.current()
    for kept, kept_lang, texts in _CATALOG_TEXTS:
        if kept is data.catalog and kept_lang == lang:
            return texts.copy(deep=False)
    texts = kpi_texts(data.catalog, lang)
    _CATALOG_TEXTS.insert(0, (data.catalog, lang, texts))
    del _CATALOG_TEXTS[4:]
    return texts.copy(deep=False)


#: The last few (catalog, language, texts) of :func:`catalog`, matched by the catalog's identity, not its content.
_CATALOG_TEXTS: list[tuple[pd.DataFrame, str, pd.DataFrame]] = []


def kpi_texts(cat: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """:func:`catalog` for any catalog table (the navigation's indicators too), in ``lang`` (default: the
    page's language)."""
    t = language.texts(lang)
    cat = cat.copy(deep=False)

    def column_text(name: str) -> pd.Series:  # a table without the column (a test's, a navigation list): empty
        return cat[name].fillna("").astype(str) if name in cat.columns else pd.Series("", index=cat.index)

    for column, (source, fallback) in t.CATALOG_COLUMNS.items():
        text = column_text(source)
        cat[column] = text.where(text.ne(""), column_text(fallback))
    if "origin" in cat.columns:  # an own indicator has no U4SSC sub-dimension or category: its group
        own = cat["origin"] == "own"
        cat.loc[own, ["kpi_subdimension", "kpi_category"]] = t.OWN["group"]
    return cat


# --- one unit ----------------------------------------------------------------------------------


def unit_title(data: ReportData, unit_code: str) -> str:
    unit = data.unit(unit_code)
    return member_title(unit["name"], unit["type"])


def testable_trends(trends: pd.DataFrame) -> int:
    """How many series have enough years for a trend verdict to be significant at all: with
    MIN_POINTS years the smallest possible Mann-Kendall p is 0.089 (see the methods text)."""
    assessed = trends["verdict"].isin(["improving", "no_clear_trend", "worsening"])
    return int((assessed & (trends["n_points"] > MIN_POINTS)).sum())


def last_year_shown(data: ReportData, unit_code: str) -> int:
    """The report year, or the unit's last year with a value when its data stop earlier (Viken: 2023)."""
    obs = data.for_unit("observations", unit_code)
    years = obs.loc[obs["value"].notna() & (obs["year"] <= data.report_year), "year"]
    return int(years.max()) if len(years) else data.report_year


def profile_counts(data: ReportData, unit_code: str) -> dict:
    """The counts of the profile (for the page and its download): KPIs with a value, years with values,
    KPIs with a target, and how many trends improve and worsen (None when no trend can be significant)."""
    obs = data.for_unit("observations", unit_code)
    reported = obs.loc[obs["value"].notna() & (obs["year"] <= data.report_year)]
    status = data.for_unit("status", unit_code)
    trends = data.for_unit("trends", unit_code)
    testable = testable_trends(trends) > 0
    return {
        "kpis_reported": int(reported["kpi_id"].nunique()),
        "kpis_in_catalog": len(data.catalog),
        "first_year": reported["year"].min(),
        "last_year": reported["year"].max(),
        "kpis_with_target": int((status["target_scope"] != "").sum()),
        "n_improving": int((trends["verdict"] == "improving").sum()) if testable else None,
        "n_worsening": int((trends["verdict"] == "worsening").sum()) if testable else None,
    }


def unit_profile(data: ReportData, unit_code: str) -> str:
    """A short profile: what the unit is, where it belongs, how much data it has."""
    unit = data.unit(unit_code)
    obs = data.for_unit("observations", unit_code)
    counts = profile_counts(data, unit_code)
    t = _t().PAGE
    facts = [(t["fact_type"], unit_types()[unit["type"]]), (t["fact_code"], unit_code)]
    if unit["type"] == "kommune":
        facts.append((t["fact_county"], f"{unit['county_name']} ({unit['county_code']})"))
        facts.append((t["fact_peer_group"], unit["peer_group"] or "–"))
    if pd.notna(unit.get("population")):
        note = f"; {data_note(unit['population_note'])}" if unit["population_note"] else ""
        facts.append(
            (
                t["fact_population"].format(year=unit["population_year"]),
                f"{fmt_number(unit['population'])} ({unit['population_source'].split(',')[0]}{note})",
            )
        )
        small = data.methods.small_population  # methods §5
        if unit["population"] < small:
            facts.append((t["fact_small"], t["small_text"].format(n=fmt_number(small))))
    breaks = sorted(set(obs.get("note", pd.Series(dtype=str))) - {""})
    if breaks:
        facts.append((t["fact_breaks"], "; ".join(breaks)))
    if pd.notna(unit["valid_from"]) or pd.notna(unit["valid_to"]):
        facts.append((t["fact_existed"], f"{fmt_year(unit['valid_from'])}–{fmt_year(unit['valid_to'])}"))
    facts += [
        (t["fact_reported"], t["n_of"].format(n=counts["kpis_reported"], total=counts["kpis_in_catalog"])),
        (t["fact_years"], f"{fmt_year(counts['first_year'])}–{fmt_year(counts['last_year'])}"),
        (t["fact_with_target"], str(counts["kpis_with_target"])),
        (
            t["fact_trends"],
            f"{counts['n_improving']} / {counts['n_worsening']}"
            if counts["n_improving"] is not None
            else t["no_testable"],
        ),
    ]
    return markdown_table(pd.DataFrame(facts, columns=["", f"{unit['name']}"]))


def band_counts(data: ReportData, unit_code: str) -> pd.DataFrame:
    """Number of KPIs per dimension in each status band ('' = no target or no value)."""
    status = data.for_unit("status", unit_code)
    cat = catalog(data)
    all_kpis = cat[["kpi_id", "kpi_dimension"]].merge(status[["kpi_id", "band"]], on="kpi_id", how="left")
    all_kpis["band"] = all_kpis["band"].fillna("")
    counts = all_kpis.pivot_table(index="kpi_dimension", columns="band", values="kpi_id", aggfunc="count", fill_value=0)
    order = [b for b in BAND_ORDER + [""] if b in counts.columns]
    return counts[order].reindex(cat["kpi_dimension"].unique())


def dimension_figure(data: ReportData, unit_code: str) -> tuple:
    counts = band_counts(data, unit_code)
    name = data.unit(unit_code)["name"]
    t = _t().PAGE
    parts = [
        t["dim_part"].format(dim=dim, good=int(row.get("ge95", 0)), total=int(row.sum()))
        for dim, row in counts.iterrows()
    ]
    alt = t["dim_alt"].format(name=name, parts="; ".join(parts))
    caption = t["dim_caption"].format(name=name, year=last_year_shown(data, unit_code))
    return figures.band_bars(counts), caption, alt


def kpi_table(data: ReportData, unit_code: str) -> pd.DataFrame:
    """Every KPI for one unit: latest value, target, status band, trend verdict and progress class.

    Raw numbers (for the CSV download); :func:`kpi_table_markdown` formats it for the page.
    """
    from analysis.stats.progress import badge_rows

    cat = catalog(data)[["kpi_id", "kpi_name", "kpi_dimension", "kpi_category", "kpi_unit", "direction"]]
    status = data.for_unit("status", unit_code)[
        ["kpi_id", "year", "value", "target", "target_year", "target_scope", "achieved_pct", "band", "reason"]
    ]
    obs = data.for_unit("observations", unit_code)
    latest_obs = (
        obs.loc[obs["year"] <= data.report_year]
        .sort_values("year")
        .groupby("kpi_id")
        .tail(1)[["kpi_id", "year", "status"]]
        .rename(columns={"year": "latest_year", "status": "latest_status"})
    )
    trends = data.for_unit("trends", unit_code)[["kpi_id", "verdict", "ols_slope", "mk_p", "method"]]
    progress = badge_rows(data.for_unit("progress", unit_code))[["kpi_id", "method", "progress_class"]]
    table = (
        cat.merge(status, on="kpi_id", how="left")
        .merge(latest_obs, on="kpi_id", how="left")
        .merge(trends.rename(columns={"method": "trend_method"}), on="kpi_id", how="left")
        .merge(progress.rename(columns={"method": "progress_method"}), on="kpi_id", how="left")
    )
    table.insert(0, "unit_code", unit_code)
    return _with_warnings(table, obs)


def _with_warnings(table: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    """The warnings of the value each row shows (its year): ``warning``, the names of the soft plausibility rules
    it lies outside, and ``warning_phrase``, the «Merknad: …» the page shows next to it (and the CSV carries)."""
    shown_year = table["year"].fillna(table["latest_year"])
    names = pd.Series("", index=table.index, dtype=object)
    if "warning" in obs.columns:
        warned = obs.loc[obs["warning"] != ""].set_index(["kpi_id", "year"])["warning"]
        keys = pd.MultiIndex.from_arrays([table["kpi_id"], shown_year.astype("Int64")])
        names = pd.Series(warned.reindex(keys).fillna("").to_numpy(), index=table.index, dtype=object)
    return table.assign(warning=names, warning_phrase=names.map(language.warning_phrase))


def status_text(band, achieved) -> str:
    """'66–95 % (89 %)': the band, then the share of the target achieved, rounded down so that it
    never contradicts the band (94.99 % is "66–95 % (94 %)", see ``present.fmt_achieved``)."""
    if not isinstance(band, str) or not band:
        return "–"
    return f"{bands()[band]} ({fmt_achieved(achieved)})"


def progress_text(progress_class, method) -> str:
    """The badge's class, saying when it was judged without a target (growth in the good direction)."""
    if not isinstance(progress_class, str) or not progress_class:
        return "–"
    label = progress_labels().get(progress_class, progress_class)
    return _t().PAGE["without_target"].format(label=label) if method == "eurostat_no_target" else label


def linked_name(data: ReportData, kpi_id: str, name: str) -> Md:
    href = indicator_href(data, kpi_id)
    return link(name, href) if href else Md(esc(name))


def year_spans(years) -> str:
    """2015, 2016, 2017, 2020 -> '2015–2017, 2020': the years a reason applies to, short enough to read."""
    spans: list[list[int]] = []
    for y in sorted(int(v) for v in set(years)):
        if spans and y == spans[-1][1] + 1:
            spans[-1][1] = y
        else:
            spans.append([y, y])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def own_ids(catalog: pd.DataFrame) -> set[str]:
    """The network's own indicators (params/indicators.yaml): the pages never call them U4SSC's."""
    if "origin" not in catalog.columns:
        return set()
    return set(catalog.loc[catalog["origin"] == "own", "kpi_id"])


def own_notes(data: ReportData, kpi_ids, unit_code: str | None = None) -> list[str]:
    """One Markdown line per own indicator among ``kpi_ids``: its source, its formula where it is derived, and
    (for a member) the years its value was left out and why, so that a derived value never goes missing unsaid."""
    t = _t()
    cat = catalog(data).set_index("kpi_id")
    names = cat["kpi_name"].to_dict()
    own_kpis = own_ids(data.catalog)
    own = [k for k in kpi_ids if k in own_kpis]
    gone = left_out_rows_of(data, unit_code) if unit_code else None
    lines = []
    for k in own:
        text = f"{esc(names[k])}: {t.OWN['source'].lower()} {esc(cat.at[k, 'source'])}"
        formula = cat.at[k, "formula"] if "formula" in cat.columns else ""
        if isinstance(formula, str) and formula:
            text += f"; {t.OWN['formula'].lower()} {esc(t.formula_phrase(formula, names))}"
        if gone is not None:
            mine = gone.loc[gone["kpi_id"] == k].sort_values("year")
            for note, years in mine.groupby("note", sort=False)["year"]:
                text += (
                    f"; {t.OWN['left_out'].lower()} {year_spans(years)} ({esc(language.border_left_out_phrase(note))})"
                )
        lines.append(f"- {text}.")
    return lines


def left_out_rows_of(data: ReportData, unit_code: str) -> pd.DataFrame:
    """The unit's rows that were left out of the computation (no value, ``utelatt: …`` in ``note``): a derived
    value without its population, or a value a border change could not carry over."""
    obs = data.for_unit("observations", unit_code)
    if "note" not in obs.columns:
        return obs.iloc[:0]
    return obs.loc[obs["value"].isna() & obs["note"].fillna("").str.startswith("utelatt: ")]


def left_out_notes(data: ReportData, kpi_ids, unit_code: str) -> list[str]:
    """One Markdown line per U4SSC KPI among ``kpi_ids`` with values a border change left out (rows with
    ``utelatt: …`` in ``note``, :func:`analysis.process.pipeline.left_out_rows`): the years and why, so that
    a value that is not on the page is said not to be, on the page (own indicators say it in :func:`own_notes`)."""
    gone = left_out_rows_of(data, unit_code)
    gone = gone.loc[gone["kpi_id"].isin(kpi_ids) & ~gone["kpi_id"].isin(own_ids(data.catalog))]
    names = catalog(data).set_index("kpi_id")["kpi_name"]
    phrase = language.border_left_out_phrase
    lines = []
    for kpi, rows in gone.sort_values("year").groupby("kpi_id", sort=False):
        said = [f"{year_spans(r['year'])}: {esc(phrase(note))}" for note, r in rows.groupby("note")]
        lines.append(f"- {esc(names.get(kpi, kpi))}: {'; '.join(said)}.")
    return lines


def kpi_table_markdown(data: ReportData, table: pd.DataFrame, dimension: str) -> str:
    part = table.loc[table["kpi_dimension"] == dimension]
    own = own_ids(data.catalog)
    texts = _t()
    t, marker, said = texts.PAGE, texts.OWN["marker"], verdicts()
    shown = pd.DataFrame(
        {
            t["col_kpi"]: [
                Md(f"{linked_name(data, k, n)} *({esc(u)}{'; ' + marker if k in own else ''})*")
                for k, n, u in zip(part["kpi_id"], part["kpi_name"], part["kpi_unit"])
            ],
            t["col_year"]: [fmt_year(y if pd.notna(y) else ly) for y, ly in zip(part["year"], part["latest_year"])],
            t["col_value"]: [
                fmt_kpi_value(v, s if isinstance(s, str) else "", d) + (f" ({w})" if w else "")
                for v, s, d, w in zip(part["value"], part["latest_status"], part["direction"], part["warning_phrase"])
            ],
            t["col_target"]: [
                fmt_target(g, gy, sc, d)
                for g, gy, sc, d in zip(part["target"], part["target_year"], part["target_scope"], part["direction"])
            ],
            t["col_status"]: [status_text(b, a) for b, a in zip(part["band"], part["achieved_pct"])],
            t["col_trend"]: [said.get(v, "–") if isinstance(v, str) else "–" for v in part["verdict"]],
            t["col_progress"]: [progress_text(c, m) for c, m in zip(part["progress_class"], part["progress_method"])],
        }
    )
    return markdown_table(shown, align={t["col_value"]: "right", t["col_year"]: "right"})


def key_series_panel(data: ReportData, unit_code: str, kpis: list[str]) -> pd.DataFrame:
    unit = data.unit(unit_code)
    obs = data.observations.loc[data.observations["kpi_id"].isin(kpis) & data.observations["value"].notna()]
    peers = data.members.loc[data.members["type"] == unit["type"], "unit_code"]
    own = obs.loc[obs["unit_code"] == unit_code].assign(series="unit")
    network = (
        obs.loc[obs["unit_code"].isin(peers)]
        .groupby(["kpi_id", "year"], as_index=False)["value"]
        .median()
        .assign(series="network")
    )
    return pd.concat([own[["kpi_id", "year", "value", "series"]], network], ignore_index=True)


def key_kpis(data: ReportData, unit_code: str, n: int = 9) -> list[str]:
    """The KPIs worth a figure: the network's key KPIs, then those where the unit moves most clearly."""
    obs = data.for_unit("observations", unit_code)
    has_values = set(obs.loc[obs["value"].notna(), "kpi_id"])  # a panel without a line tells nothing
    key = [k for k in data.catalog.loc[data.catalog["key"], "kpi_id"] if k in has_values]
    trends = data.for_unit("trends", unit_code).dropna(subset=["mk_p"]).sort_values("mk_p")
    telling = [k for k in trends["kpi_id"] if k not in key and k in has_values]
    return (key + telling)[:n]


def key_figure(data: ReportData, unit_code: str) -> tuple:
    kpis = key_kpis(data, unit_code)
    if not kpis:  # nothing reported: no figure of empty panels
        return None, "", ""
    names = catalog(data).set_index("kpi_id")
    titles = {k: f"{names.at[k, 'kpi_name']} ({names.at[k, 'kpi_unit']})" for k in kpis}
    status = data.for_unit("status", unit_code).set_index("kpi_id")
    targets = {k: status.at[k, "target"] if k in status.index else None for k in kpis}
    panel = key_series_panel(data, unit_code, kpis)
    unit = data.unit(unit_code)
    trends = data.for_unit("trends", unit_code).set_index("kpi_id")
    said, t = verdicts(), _t().PAGE
    described = []
    for k in kpis:
        verdict = said.get(trends.at[k, "verdict"], said["not_assessed"]) if k in trends.index else said["not_assessed"]
        described.append(f"{names.at[k, 'kpi_name']}: {verdict}")
    alt = t["key_alt"].format(name=unit["name"], n=len(kpis), described="; ".join(described))
    caption = t["key_caption"].format(name=unit["name"])
    return figures.key_series(panel, titles, targets), caption, alt


def comparison_table(data: ReportData, unit_code: str) -> pd.DataFrame:
    comp = data.for_unit("comparisons", unit_code)
    cat = catalog(data)[["kpi_id", "kpi_name", "kpi_unit", "direction"]]
    return cat.merge(comp, on="kpi_id", how="inner")


def comparison_markdown(data: ReportData, unit_code: str, kpis: list[str]) -> str:
    comp = comparison_table(data, unit_code).set_index("kpi_id").reindex(kpis).dropna(subset=["kpi_name"])
    t = _t().PAGE
    shown = pd.DataFrame(
        {
            t["col_kpi"]: comp["kpi_name"],
            t["col_value"]: [fmt_number(v) for v in comp["value"]],
            t["col_network_median"]: [fmt_number(v) for v in comp["network_median"]],
            t["col_county"]: [fmt_number(v) for v in comp["county_value"]],
            t["col_nation"]: [fmt_number(v) for v in comp["national_value"]],
            t["col_percentile"]: [fmt_number(v, 0) for v in comp["percentile_rank"]],
            t["col_z_better"]: [fmt_number(v, 1) for v in comp["robust_z"]],
        }
    )
    return markdown_table(shown, align={c: "right" for c in shown.columns[1:]})


def differing_trends(data: ReportData, unit_code: str) -> pd.DataFrame:
    """KPIs where the unit's trend differs from its comparison group after FDR control (q < 0.05)."""
    tests = data.for_unit("slope_tests", unit_code)
    sig = tests.loc[tests["q_value"] < SIGNIFICANCE_Q]
    return sig.merge(catalog(data)[["kpi_id", "kpi_name", "kpi_unit"]], on="kpi_id").sort_values("q_value")


def better_text(better) -> str:
    """Whether the unit's slope is better than the group's, given the KPI's direction (NA: no direction)."""
    t = _t().PAGE
    if better is None or pd.isna(better):
        return t["no_direction_set"]
    return t["better"] if bool(better) else t["weaker"]


def differing_trends_markdown(data: ReportData, unit_code: str) -> str:
    sig = differing_trends(data, unit_code)
    tests = data.for_unit("slope_tests", unit_code)
    n_tested = int(tests["p_value"].notna().sum())
    name = data.unit(unit_code)["name"]
    shown_name = esc(name)
    t = _t().PAGE
    if sig.empty:
        return t["none_differ"].format(n=n_tested, name=shown_name)
    shown = pd.DataFrame(
        {
            t["col_kpi"]: sig["kpi_name"],
            t["col_slope_unit"].format(name=name): [fmt_number(v) for v in sig["slope_unit"]],
            t["col_slope_rest"]: [fmt_number(v) for v in sig["slope_group"]],
            t["col_diff"]: [
                t["range"].format(value=fmt_number(d), low=fmt_number(lo), high=fmt_number(hi))
                for d, lo, hi in zip(sig["diff"], sig["ci_low"], sig["ci_high"])
            ],
            t["col_q"]: [fmt_p(q) for q in sig["q_value"]],
            t["col_assessment"]: [better_text(b) for b in sig["better"]],
        }
    )
    intro = t["differ_intro"].format(n=len(sig), total=n_tested, name=shown_name) + "\n\n"
    return intro + markdown_table(shown, align={c: "right" for c in shown.columns[1:5]})


# --- the network -------------------------------------------------------------------------------


def network_status_table(data: ReportData) -> pd.DataFrame:
    """Per member: how many KPIs in each band, how many improve and worsen."""
    status = data.results["status"]
    trends = data.results["trends"]
    members = nb_sorted(data.members, "name")  # municipalities by name, then the counties by name
    members = pd.concat([members.loc[members["type"] == "kommune"], members.loc[members["type"] != "kommune"]])
    codes = members["unit_code"]
    by_band = pd.crosstab(status["unit_code"], status["band"]).reindex(index=codes, columns=BAND_ORDER, fill_value=0)
    by_verdict = pd.crosstab(trends["unit_code"], trends["verdict"]).reindex(
        index=codes, columns=["improving", "worsening"], fill_value=0
    )
    assessed = trends["verdict"].isin(["improving", "no_clear_trend", "worsening"]) & (trends["n_points"] > MIN_POINTS)
    testable = assessed.groupby(trends["unit_code"]).sum().reindex(codes, fill_value=0)
    table = members[["unit_code", "name", "type", "slug", "population"]].reset_index(drop=True)
    for b in BAND_ORDER:
        table[b] = by_band[b].fillna(0).astype(int).to_numpy()
    table["trends_testable"] = testable.fillna(0).astype(int).to_numpy()
    table["improving"] = by_verdict["improving"].fillna(0).astype(int).to_numpy()
    table["worsening"] = by_verdict["worsening"].fillna(0).astype(int).to_numpy()
    return table


def unit_href(unit_type: str, slug: str) -> str:
    """Where a member's page lives in the site, relative to the front page."""
    return f"{'kommuner' if unit_type == 'kommune' else 'fylker'}/{slug}.html"


def network_status_markdown(data: ReportData) -> str:
    table = network_status_table(data)
    t, named = _t().PAGE, bands()
    shown = pd.DataFrame(
        {
            t["col_member"]: [
                link(n, unit_href(ty, s)) for n, ty, s in zip(table["name"], table["type"], table["slug"])
            ],
            t["col_population"]: [fmt_number(p) for p in table["population"]],
            **{t["col_status_band"].format(band=named[b]): table[b].astype(str) for b in BAND_ORDER},
            # a unit with too few years for a trend to be significant (Viken, 2020-23) shows a dash, not a zero
            t["col_improving"]: table["improving"].astype(str).where(table["trends_testable"] > 0, "–"),
            t["col_worsening"]: table["worsening"].astype(str).where(table["trends_testable"] > 0, "–"),
        }
    )
    note = "\n\n" + t["status_note"]
    return markdown_table(shown, align={c: "right" for c in shown.columns[1:]}) + note


def overview_matrix(data: ReportData, dimension: str) -> pd.DataFrame:
    """Robust z (positive = better) for every member municipality × KPI of one dimension in the report year."""
    comp = data.results["comparisons"]
    cat = catalog(data)
    comp = comp.loc[comp["kpi_id"].isin(cat.loc[cat["kpi_dimension"] == dimension, "kpi_id"])]
    towns = nb_sorted(data.members.loc[data.members["type"] == "kommune"], "name")
    comp = comp.loc[comp["unit_code"].isin(towns["unit_code"])]
    matrix = comp.pivot_table(index="kpi_id", columns="unit_code", values="robust_z")
    matrix = matrix.reindex(
        index=[k for k in data.catalog["kpi_id"] if k in matrix.index],
        columns=[c for c in towns["unit_code"] if c in matrix.columns],
    )
    names = cat.set_index("kpi_id")["kpi_name"]
    matrix.index = [names[k] for k in matrix.index]
    if by_county(data):
        # hundreds of columns cannot be read (nor drawn in reasonable time): one column per county,
        # the median of its municipalities' robust z
        county = towns.set_index("unit_code").loc[matrix.columns, "county_name"]
        matrix = matrix.T.groupby(county.to_numpy(), sort=False).median().T
        return matrix[nb_sorted(pd.DataFrame({"name": matrix.columns}), "name")["name"].tolist()]
    matrix.columns = towns.set_index("unit_code").loc[matrix.columns, "name"].tolist()
    return matrix


def by_county(data: ReportData) -> bool:
    """Whether the network's figures compare counties rather than single municipalities (a large network)."""
    return int((data.members["type"] == "kommune").sum()) > figures.SMALL_MULTIPLES_MAX


def overview_figure(data: ReportData, dimension: str) -> tuple:
    matrix = overview_matrix(data, dimension)
    if matrix.dropna(how="all").empty:  # e.g. a network of one municipality: nothing to compare with
        return None, "", ""
    best = matrix.mean(axis=0).sort_values(ascending=False)
    in_dimension = int((catalog(data)["kpi_dimension"] == dimension).sum())
    t = _t().PAGE
    left_out = (
        t["heat_left_out"].format(n=in_dimension - matrix.shape[0], total=in_dimension)
        if matrix.shape[0] < in_dimension
        else ""
    )
    which = "counties" if by_county(data) else "towns"
    alt = t["heat_alt"].format(
        dimension=dimension.lower(),
        rows=matrix.shape[0],
        cols=matrix.shape[1],
        columns=t[f"heat_columns_{which}"],
        best=best.index[0],
        worst=best.index[-1],
    )
    caption = t["heat_caption"].format(
        dimension=dimension,
        side_by_side=t[f"heat_side_{which}"],
        year=data.report_year,
        colour=t[f"heat_colour_{which}"],
        left_out=left_out,
    )
    return figures.heatmap(matrix, "", t["heat_scale"]), caption, alt


def network_trend_table(data: ReportData) -> pd.DataFrame:
    """The common trend per KPI (mixed model), with its direction-aware reading."""
    nt = data.results["network_trends"].merge(
        catalog(data)[["kpi_id", "kpi_name", "kpi_unit", "direction", "kpi_dimension"]], on="kpi_id"
    )
    sign = nt["direction"].map({"higher_is_better": 1, "lower_is_better": -1, "binary": 1}).fillna(0)
    alpha = data.methods.alpha  # the level for the network's common trend, as for the trend verdicts
    nt["improving"] = (nt["mixed_p"] < alpha) & (sign * nt["mixed_slope"] > 0)
    nt["worsening"] = (nt["mixed_p"] < alpha) & (sign * nt["mixed_slope"] < 0)
    return nt


def network_trend_markdown(data: ReportData, which: str, limit: int = 12) -> str:
    nt = network_trend_table(data)
    part = nt.loc[nt[which]].sort_values("mixed_p").head(limit)
    t = _t().PAGE
    if part.empty:
        return t["no_kpis"]
    said = convergences()
    shown = pd.DataFrame(
        {
            t["col_kpi"]: part["kpi_name"],
            t["col_dimension"]: part["kpi_dimension"],
            t["col_common_slope"]: [
                t["range"].format(value=fmt_number(s), low=fmt_number(lo), high=fmt_number(hi))
                for s, lo, hi in zip(part["mixed_slope"], part["mixed_ci_low"], part["mixed_ci_high"])
            ],
            t["col_measure_unit"]: part["kpi_unit"],
            t["col_p"]: [fmt_p(p) for p in part["mixed_p"]],
            t["col_spread"]: [said.get(c, "–") for c in part["convergence"]],
        }
    )
    return markdown_table(shown, align={t["col_p"]: "right"})


def spread_kpis(data: ReportData, n: int = 6) -> pd.DataFrame:
    """The KPIs of the spread figure: those whose spread changes most clearly (converging or diverging)."""
    nt = network_trend_table(data)
    return nt.loc[nt["convergence"].isin(["converging", "diverging"])].sort_values("spread_p").head(n)


def spread_figure(data: ReportData, n: int = 6) -> tuple:
    moving = spread_kpis(data, n)
    names = catalog(data).set_index("kpi_id")
    said = convergences()
    titles = {k: f"{names.at[k, 'kpi_name']} ({said[c]})" for k, c in zip(moving["kpi_id"], moving["convergence"])}
    if not titles:
        return None, "", ""
    t = _t().PAGE
    alt = t["spread_alt"].format(titles="; ".join(titles.values()))
    caption = t["spread_caption"]
    return figures.spread_lines(data.results["spread"], titles), caption, alt


# --- page frames ---------------------------------------------------------------------------------


def notice(data: ReportData) -> str:
    from analysis.pages.present import demo_notice

    return demo_notice() if data.is_demo else ""


def unit_intro(data: ReportData, unit_code: str) -> str:
    unit = data.unit(unit_code)
    t = _t().PAGE
    where = (
        t["in_county"].format(county=esc(unit["county_name"])) if unit["type"] == "kommune" else t["county_authority"]
    )
    intro = t["unit_intro"].format(name=esc(unit["name"]), where=where, year=last_year_shown(data, unit_code))
    return (
        f"{notice(data)}\n{intro}\n\n{unit_profile(data, unit_code)}\n\n"
        f"[{t['download_pdf']}](../pdf/{unit['slug']}.pdf) · "
        f"[{t['download_csv']}](../nedlastinger/{unit['slug']}.csv)\n"
    )


ON_TRACK = ("achieved", "on_track", "significant_progress")
AWAY = ("deterioration", "moderate_away", "significant_away", "decreasing")


def _names(frame: pd.DataFrame, limit: int = 3) -> str:
    """'A, B og C' ('A, B and C') from the KPI names of ``frame`` (escaped)."""
    names = [esc(n) for n in frame["kpi_name"].head(limit)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {_t().PAGE['and']} " + names[-1]


def unit_summary(data: ReportData, unit_code: str) -> str:
    """The member's year in a few sentences: targets met, where it improves and falls behind, and the
    methods that say so (the first page of the annual report, and the top of the member's page)."""
    unit = data.unit(unit_code)
    table = kpi_table(data, unit_code)
    name = esc(unit["name"])
    reported = table["value"].notna() | table["latest_year"].notna()
    banded = table["band"].fillna("").ne("")
    n_banded, ge95, lt33 = int(banded.sum()), int((table["band"] == "ge95").sum()), int((table["band"] == "lt33").sum())
    t = _t().PAGE
    text = [
        t["summary_reported"].format(
            name=name,
            reported=int(reported.sum()),
            total=len(data.catalog),
            banded=n_banded,
            ge95=ge95,
            lt33=lt33,
            year=last_year_shown(data, unit_code),
        )
    ]
    trends = data.for_unit("trends", unit_code)
    if testable_trends(trends):
        by_p = table.sort_values("mk_p")
        better, worse = by_p.loc[by_p["verdict"] == "improving"], by_p.loc[by_p["verdict"] == "worsening"]
        sentence = t["summary_trends"].format(
            better=len(better), worse=len(worse), alpha=fmt_percent(100 * data.methods.alpha)
        )
        if len(better):
            sentence += t["clearest_better"].format(names=_names(better))
        if len(worse):
            sentence += t["clearest_worse"].format(names=_names(worse))
        text.append(sentence)
    else:
        text.append(t["no_trends"])
    progress = table["progress_class"].fillna("")
    judged = int(progress.ne("").sum())
    if judged:
        text.append(
            t["summary_progress"].format(
                on_track=int(progress.isin(ON_TRACK).sum()), judged=judged, away=int(progress.isin(AWAY).sum())
            )
        )
    return "\n\n".join(text) + "\n"


def kpi_tables_markdown(data: ReportData, unit_code: str) -> str:
    """One table per dimension with the KPIs the unit has reported (a value or a symbol saying why there
    is none); the KPIs without any observation are named in one sentence below it, not as empty rows
    (a member that reports ten KPIs would otherwise read 102 rows of dashes)."""
    table = kpi_table(data, unit_code)
    reported = table["latest_year"].notna() | table["year"].notna()
    texts = _t()
    t = texts.PAGE
    parts = []
    for dim in catalog(data)["kpi_dimension"].unique():
        in_dim = table["kpi_dimension"] == dim
        shown, missing = table.loc[in_dim & reported], table.loc[in_dim & ~reported]
        text = f"### {esc(dim)}\n\n"
        if shown.empty:
            text += t["dim_none"].format(n=int(in_dim.sum())) + "\n"
        else:
            text += kpi_table_markdown(data, shown, dim) + "\n"
            notes = own_notes(data, shown["kpi_id"], unit_code)
            if notes:
                text += f"\n{texts.OWN['table_note']}:\n\n" + "\n".join(notes) + "\n"
            gone = left_out_notes(data, table.loc[in_dim, "kpi_id"], unit_code)
            if gone:
                text += f"\n{texts.LEFT_OUT_HEADING}:\n\n" + "\n".join(gone) + "\n"
            if len(missing):
                names = ", ".join(esc(n) for n in missing["kpi_name"])
                text += "\n" + t["not_reported"].format(n=len(missing), total=int(in_dim.sum()), names=names) + "\n"
        parts.append(text)
    return "\n".join(parts)


def comparison_section(data: ReportData, unit_code: str) -> str:
    unit = data.unit(unit_code)
    t = _t().PAGE
    peers = t["peers_towns"] if unit["type"] == "kommune" else t["peers_counties"]
    kpis = key_kpis(data, unit_code)
    name = esc(unit["name"])
    return (
        t["comparison_intro"].format(year=data.report_year, peers=peers, name=name)
        + f"\n\n{comparison_markdown(data, unit_code, kpis)}\n\n"
        f"### {t['differ_heading']}\n\n"
        + t["differ_text"].format(name=name)
        + f"\n\n{differing_trends_markdown(data, unit_code)}\n"
    )


def overview_figures(data: ReportData) -> list[tuple]:
    return [overview_figure(data, dim) for dim in catalog(data)["kpi_dimension"].unique()]


def members_text(towns: int, counties: int) -> str:
    """'15 kommuner og 1 fylkeskommune', '17 kommuner' (no '0 fylkeskommuner')."""
    t = _t().PAGE
    parts = [
        count_of(n, t[one], t[many])
        for n, one, many in ((towns, "town", "towns"), (counties, "county_member", "county_members"))
        if n
    ]
    return f" {t['and']} ".join(parts) or t["no_members"]


def network_intro(data: ReportData) -> str:
    members = data.members
    towns = members.loc[members["type"] == "kommune"]
    counties = members.loc[members["type"] == "fylke"]
    t = _t().PAGE
    intro = t["network_intro"].format(
        network=esc(data.network_name), members=members_text(len(towns), len(counties)), year=data.report_year
    )
    return (
        f"{notice(data)}\n{intro}\n\n"
        f"[{t['download_pdf']}](pdf/nettverket.pdf) · "
        f"[{t['download_network_csv']}](nedlastinger/nettverket.csv)\n"
    )


def page_footer(data: ReportData) -> str:
    """Where the numbers come from and which versions made them (methods §7)."""
    import platform

    import analysis

    meta = data.metadata
    sources = "; ".join(esc(s) for s in meta.get("sources", []))
    vintages = ", ".join(esc(v) for v in meta.get("vintages", []))
    said = (
        _t()
        .PAGE["sources"]
        .format(
            sources=sources,
            vintages=vintages,
            version=analysis.__version__,
            python=platform.python_version(),
            pandas=pd.__version__,
        )
    )
    return f"---\n\n{said}\n"


# --- one indicator -------------------------------------------------------------------------------


def indicator_href(data: ReportData, kpi_id: str, prefix: str = "../") -> str | None:
    """The indicator's page, if the build makes one (report setting ``indicator_pages``)."""
    if kpi_id not in data.metadata.get("indicator_pages", []):
        return None
    slug = data.catalog["slug"].to_numpy()[data.catalog["kpi_id"].to_numpy() == kpi_id][0]
    return f"{prefix}indikatorer/{slug}.html"


def indicator_row(data: ReportData, kpi_id: str) -> pd.Series:
    cat = catalog(data)
    match = cat.loc[cat["kpi_id"] == kpi_id]
    if match.empty:
        from analysis.core.errors import InputError

        raise InputError("catalog", f"unknown KPI {kpi_id!r}; see data/reference/u4ssc_catalog.csv", field="kpi_id")
    return match.iloc[0]


def indicator_title(data: ReportData, kpi_id: str) -> str:
    return str(indicator_row(data, kpi_id)["kpi_name"])


def indicator_intro(data: ReportData, kpi_id: str) -> str:
    kpi = indicator_row(data, kpi_id)
    texts = _t()
    t, own = texts.PAGE, texts.OWN
    network_target = data.targets.loc[(data.targets["kpi_id"] == kpi_id) & (data.targets["unit_code"] == "")]
    target = (
        t["target_by"].format(
            target=fmt_number(network_target["target"].iloc[0]), year=int(network_target["target_year"].iloc[0])
        )
        if len(network_target)
        else t["no_common_target"]
    )
    direction = directions().get(kpi["direction"], kpi["direction"])
    if kpi["direction_inferred"]:
        direction += t["direction_inferred"]
    other_name = kpi[texts.OTHER_NAME_COLUMN]  # the English name on a Norwegian page, the Norwegian on an English
    sdgs = ", ".join(kpi["sdg_goals"].split(";")) if kpi["sdg_goals"] else "–"
    if kpi_id in own_ids(data.catalog):
        facts = [(own["label"], kpi["code"])]
        if other_name and other_name != kpi["kpi_name"]:
            facts.append((t["fact_other_name"], other_name))
        facts += [
            (t["fact_dimension"], f"{kpi['kpi_dimension']} › {own['group']}"),
            (t["fact_unit"], kpi["kpi_unit"]),
            (t["fact_direction"], direction),
            (t["fact_sdgs"], sdgs),
            (own["source"], kpi["source"]),
        ]
        if kpi.get("formula"):
            names = catalog(data).set_index("kpi_id")["kpi_name"]
            facts.append((own["formula"], texts.formula_phrase(kpi["formula"], names)))
    else:
        facts = [
            (
                t["fact_u4ssc_code"],
                kpi["code"] + (t["data_point"].format(point=kpi["data_point"]) if kpi["data_point"] else ""),
            ),
            (t["fact_other_name"], other_name),
            (t["fact_dimension"], f"{kpi['kpi_dimension']} › {kpi['kpi_subdimension']} › {kpi['kpi_category']}"),
            (t["fact_kind"], t["core"] if kpi["core_or_advanced"] == "Core" else t["advanced"]),
            (t["fact_unit"], kpi["kpi_unit"]),
            (t["fact_direction"], direction),
            (t["fact_sdgs"], sdgs),
        ]
    facts.append((t["fact_network_target"], target))
    return (
        f"{notice(data)}\n{markdown_table(pd.DataFrame(facts, columns=['', t['col_indicator_facts']]))}\n\n"
        f"[{t['download_csv']}](../nedlastinger/indikator-{kpi['slug']}.csv)\n"
    )


def indicator_table(data: ReportData, kpi_id: str) -> pd.DataFrame:
    """Every member for one KPI: latest value, status, trend, progress and level comparison (raw numbers)."""
    from analysis.stats.progress import badge_rows

    def part(name: str, cols: list[str]) -> pd.DataFrame:
        table = data.results[name]
        return table.loc[table["kpi_id"] == kpi_id, ["unit_code", *cols]]

    progress = badge_rows(data.results["progress"].loc[data.results["progress"]["kpi_id"] == kpi_id])
    table = (
        nb_sorted(data.members, "name")[["unit_code", "name", "type", "slug"]]
        .merge(
            part("status", ["year", "value", "target", "target_year", "achieved_pct", "band"]),
            on="unit_code",
            how="left",
        )
        .merge(
            part("trends", ["verdict", "ols_slope", "ols_ci_low", "ols_ci_high", "mk_p"]), on="unit_code", how="left"
        )
        .merge(
            progress[["unit_code", "method", "progress_class"]].rename(columns={"method": "progress_method"}),
            on="unit_code",
            how="left",
        )
        .merge(part("comparisons", ["robust_z", "percentile_rank"]), on="unit_code", how="left")
    )
    table.insert(1, "kpi_id", kpi_id)
    return table


def indicator_table_markdown(data: ReportData, kpi_id: str) -> str:
    table = indicator_table(data, kpi_id)
    direction = indicator_row(data, kpi_id)["direction"]
    t, said = _t().PAGE, verdicts()
    shown = pd.DataFrame(
        {
            t["col_member"]: [
                link(n, f"../{unit_href(ty, s)}") for n, ty, s in zip(table["name"], table["type"], table["slug"])
            ],
            t["col_year"]: [fmt_year(y) for y in table["year"]],
            t["col_value"]: [fmt_kpi_value(v, "", direction) for v in table["value"]],
            t["col_status"]: [status_text(b, a) for b, a in zip(table["band"], table["achieved_pct"])],
            t["col_slope"]: [fmt_number(v) for v in table["ols_slope"]],
            t["col_trend"]: [said.get(v, "–") if isinstance(v, str) else "–" for v in table["verdict"]],
            t["col_progress"]: [progress_text(c, m) for c, m in zip(table["progress_class"], table["progress_method"])],
            t["col_robust_z"]: [fmt_number(v, 1) for v in table["robust_z"]],
        }
    )
    right = ("col_year", "col_value", "col_slope", "col_robust_z")
    return markdown_table(shown, align={t[c]: "right" for c in right})


def indicator_series(data: ReportData, kpi_id: str) -> tuple[pd.DataFrame, pd.Series, float | None]:
    """What the indicator figure draws: every member municipality's series (with its name, in Norwegian
    alphabetical order), the median of the municipalities per year and the network's target (or None).
    The page's download holds the same three."""
    towns = data.members.loc[data.members["type"] == "kommune"]
    obs = data.observations.loc[
        (data.observations["kpi_id"] == kpi_id)
        & data.observations["value"].notna()
        & data.observations["unit_code"].isin(towns["unit_code"])
    ]
    obs = obs.merge(towns[["unit_code", "name"]], on="unit_code")
    obs = nb_sorted(obs, "name")  # the panels in Norwegian alphabetical order
    median = obs.groupby("year")["value"].median()
    network_target = data.targets.loc[(data.targets["kpi_id"] == kpi_id) & (data.targets["unit_code"] == ""), "target"]
    target = network_target.iloc[0] if len(network_target) else None
    return obs, median, target


def indicator_figure(data: ReportData, kpi_id: str) -> tuple:
    kpi = indicator_row(data, kpi_id)
    obs, median, target = indicator_series(data, kpi_id)
    ylabel = f"{kpi['kpi_name']} ({kpi['kpi_unit']})"
    many = obs["name"].nunique() > figures.SMALL_MULTIPLES_MAX
    fig = (
        figures.spread_over_years(obs, ylabel, target)
        if many
        else figures.all_units(obs, ylabel, target, median=median)
    )
    latest = obs.loc[obs["year"] == obs["year"].max()].sort_values("value")
    t = _t().PAGE
    extremes = (
        t["lowest_highest"].format(
            year=int(obs["year"].max()),
            low=latest["name"].iloc[0],
            low_value=fmt_number(latest["value"].iloc[0]),
            high=latest["name"].iloc[-1],
            high_value=fmt_number(latest["value"].iloc[-1]),
        )
        if len(latest)
        else t["no_numbers"]
    )
    goal = t["target_dotted"] if target is not None else "."
    name, n = kpi["kpi_name"], obs["name"].nunique()
    if many:
        alt = t["spread_fig_alt"].format(kpi=name, n=n, extremes=extremes)
        return fig, t["spread_fig_caption"].format(kpi=name, goal=goal), alt
    alt = t["multiples_alt"].format(kpi=name, n=n, extremes=extremes)
    return fig, t["multiples_caption"].format(kpi=name, goal=goal), alt


def indicator_network_text(data: ReportData, kpi_id: str) -> str:
    nt = network_trend_table(data)
    row = nt.loc[nt["kpi_id"] == kpi_id]
    texts = _t()
    t = texts.PAGE
    if row.empty or pd.isna(row["mixed_slope"].iloc[0]):
        reason = language.reason_phrase(row["reason"].iloc[0]) if len(row) else t["no_numbers"]
        return t["no_common_trend"].format(reason=reason)
    r = row.iloc[0]
    reading = (
        t["right_direction"] if r["improving"] else t["wrong_direction"] if r["worsening"] else t["no_sure_direction"]
    )
    return t["common_trend"].format(
        slope=fmt_number(r["mixed_slope"]),
        low=fmt_number(r["mixed_ci_low"]),
        high=fmt_number(r["mixed_ci_high"]),
        p=p_text(r["mixed_p"]),
        unit=esc(r["kpi_unit"]),
        reading=reading,
        spread=convergences().get(r["convergence"], "–"),
    )


# --- maps ----------------------------------------------------------------------------------------


def map_heading(page: str) -> str:
    """The heading over a map (``page``: 'network' or 'indicator')."""
    return f"## {_t().MAPS['heading_' + page]}\n"


def map_members(data: ReportData) -> tuple[pd.DataFrame, list[str]]:
    """The members a 2024 map shows (in the order of the page's tables) and the names of those it cannot:
    a unit that ended before the borders' year (Viken, 2020–2023) has no polygon in them. Any other member
    without one is an error (:func:`analysis.pages.maps.member_shapes`)."""
    members = data.members
    ended = members["valid_to"].notna() & (pd.to_numeric(members["valid_to"], errors="coerce") < maps.BORDERS_YEAR)
    return members.loc[~ended].reset_index(drop=True), nb_sorted(members.loc[ended], "name")["name"].tolist()


def _extremes(frame: pd.DataFrame, column: str, text) -> str:
    """«Høyest: A (…). Lavest: B (…).» for an alt text, ties named together."""
    words = _t().MAPS
    shown = frame.dropna(subset=[column])
    if shown.empty:
        return words["none_with_value"]
    parts = []
    for key, value in (("highest", shown[column].max()), ("lowest", shown[column].min())):
        names = ", ".join(shown.loc[shown[column] == value, "name"].astype(str))
        parts.append(words[key].format(names=names, value=text(value)))
    return " ".join(parts[: 1 if shown[column].nunique() == 1 else 2])


def _map_note(not_on_map: list[str]) -> str:
    words = _t().MAPS
    return words["not_on_map"].format(year=maps.BORDERS_YEAR, names=", ".join(not_on_map)) if not_on_map else ""


def _details_table(shown: pd.DataFrame, align: dict) -> str:
    """A map's numbers as a table the reader opens under it (a real table for screen readers)."""
    return (
        f"<details>\n<summary>{esc(_t().MAPS['table_summary'])}</summary>\n\n"
        f"{markdown_table(shown, align=align)}\n\n</details>\n"
    )


SHARE_EDGES = (0.0, 25.0, 50.0, 75.0, 100.0)


def network_map_table(data: ReportData) -> tuple[pd.DataFrame, object]:
    """Per member on the front page's map: the KPIs with a band (a target and a value), the share of them at
    ≥ 95 % of the target — the status table's «Status ≥ 95 %» over the sum of its four status columns — and
    its colour class; with the classes (quarters, darker is better)."""
    table = network_status_table(data)
    on_map, _ = map_members(data)
    table = table.loc[table["unit_code"].isin(on_map["unit_code"])].reset_index(drop=True)
    table["n_banded"] = table[BAND_ORDER].sum(axis=1)
    table["share_ge95"] = (100 * table["ge95"] / table["n_banded"]).where(table["n_banded"] > 0)
    classes = maps.fixed_classes(SHARE_EDGES, _t().MAPS["share_classes"], "high")
    table["map_class"] = [
        classes.labels[i] if i is not None else "" for i in (classes.index(v) for v in table["share_ge95"])
    ]
    return table, classes


def network_map(data: ReportData) -> tuple:
    table, classes = network_map_table(data)
    _, not_on_map = map_members(data)
    words = _t().MAPS
    units = [maps.MapUnit(c, t, v) for c, t, v in zip(table["unit_code"], table["type"], table["share_ge95"])]
    fig = maps.choropleth(units, classes, words["status_legend"].replace(" %", NBSP + "%"))
    alt = (
        words["status_alt"].format(n=len(units))
        + " "
        + _extremes(table, "share_ge95", lambda v: fmt_percent(v))
        + _without(table, "share_ge95")
    )
    caption = (
        words["status_caption"] + " " + words["credit"] + "." + (f" {_map_note(not_on_map)}" if not_on_map else "")
    )
    return fig, caption, alt


def _without(table: pd.DataFrame, column: str) -> str:
    missing = table.loc[table[column].isna(), "name"].astype(str).tolist()
    return (" " + _t().MAPS["without_value"].format(names=", ".join(missing))) if missing else ""


def network_map_markdown(data: ReportData) -> str:
    table, _ = network_map_table(data)
    words = _t().MAPS
    shown = pd.DataFrame(
        {
            words["col_unit"]: table["name"],
            words["col_with_target"]: table["n_banded"].astype(int).astype(str),
            words["col_share"]: [fmt_percent(v) for v in table["share_ge95"]],
            words["col_class"]: [c or "–" for c in table["map_class"]],
        }
    )
    return _details_table(shown, {words["col_with_target"]: "right", words["col_share"]: "right"})


def _better(direction: str) -> str:
    return {"higher_is_better": "high", "lower_is_better": "low"}.get(direction, "")


def indicator_map_table(data: ReportData, kpi_id: str) -> tuple[pd.DataFrame, object]:
    """Per member on an indicator's map: its latest value and year (those of the members' table), and its
    colour class; with the classes. A yes/no KPI has the two classes «nei» and «ja» (darker: the target's)."""
    kpi = indicator_row(data, kpi_id)
    on_map, _ = map_members(data)
    table = indicator_table(data, kpi_id)
    table = table.loc[table["unit_code"].isin(on_map["unit_code"])].reset_index(drop=True)
    if kpi["direction"] == "binary":
        target = data.targets.loc[(data.targets["kpi_id"] == kpi_id) & (data.targets["unit_code"] == ""), "target"]
        better = "low" if len(target) and float(target.iloc[0]) == 0 else "high"
        words = _t().MAPS
        classes = maps.fixed_classes((0.0, 0.5, 1.0), (words["binary_no"], words["binary_yes"]), better)
    else:
        classes = maps.value_classes(table["value"].to_numpy(dtype=float), _better(kpi["direction"]))
    table["map_class"] = [classes.labels[i] if i is not None else "" for i in map(classes.index, table["value"])]
    return table, classes


def indicator_map(data: ReportData, kpi_id: str) -> tuple:
    kpi = indicator_row(data, kpi_id)
    table, classes = indicator_map_table(data, kpi_id)
    _, not_on_map = map_members(data)
    words = _t().MAPS
    units = [maps.MapUnit(c, t, v) for c, t, v in zip(table["unit_code"], table["type"], table["value"])]
    direction = directions().get(kpi["direction"], kpi["direction"])
    if classes.better:
        how = words["darker_better"]
        said = words["direction_better"].format(direction=direction)
    else:
        how = words["darker_higher"]
        said = words["direction_none"]
    title = figures.panel_title(f"{kpi['kpi_name']} ({kpi['kpi_unit']})", 38)
    fig = maps.choropleth(units, classes, f"{title}\n{how}")

    def shown(v):
        return fmt_kpi_value(v, "", kpi["direction"])

    k = len(classes.labels)
    low, high = (classes.labels[0], classes.labels[-1]) if k else ("–", "–")
    alt = (
        words["value_alt"].format(kpi=kpi["kpi_name"], n=len(units), k=k, low=low, high=high)
        if k
        else words["value_alt_none"].format(kpi=kpi["kpi_name"], n=len(units))
    )
    alt += " " + _extremes(table, "value", shown) + _without(table, "value")
    caption = (
        words["value_caption"].format(
            kpi=kpi["kpi_name"],
            unit=kpi["kpi_unit"],
            classes=words["classes_binary" if kpi["direction"] == "binary" else "classes_quantile"].format(k=k),
            direction=said,
        )
        + " "
        + words["credit"]
        + "."
        + (f" {_map_note(not_on_map)}" if not_on_map else "")
    )
    return fig, caption, alt


def indicator_map_markdown(data: ReportData, kpi_id: str) -> str:
    kpi = indicator_row(data, kpi_id)
    table, _ = indicator_map_table(data, kpi_id)
    words = _t().MAPS
    shown = pd.DataFrame(
        {
            words["col_unit"]: table["name"],
            words["col_year"]: [fmt_year(y) for y in table["year"]],
            words["col_value"]: [fmt_kpi_value(v, "", kpi["direction"]) for v in table["value"]],
            words["col_class"]: [c or "–" for c in table["map_class"]],
        }
    )
    return _details_table(shown, {words["col_year"]: "right", words["col_value"]: "right"})

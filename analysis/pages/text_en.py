"""English texts for the pages and the site: the twin of :mod:`analysis.pages.text_nb`.

It defines exactly the same public names as ``text_nb`` (dicts with the same keys, format strings
with the same ``{placeholders}``), so that :func:`analysis.pages.language.texts` can hand either
module to the page code. KPI names come from the U4SSC catalog's English names, not from here.
"""

from __future__ import annotations

# --- site: strings of analysis.site (skip link, search, language switch, page chrome) ---------------
#: The site's own words (analysis.site and reports/): what the renderers write around every page, the
#: language switch and the parts of the project the build fills in. ``{network}`` arrives escaped.
SITE = {
    "language_name": "English",  # the switch on the other languages' pages says this, in this language
    "skip_link": "Skip to main content",
    "anchor": "Link to this section",
    "toc_title": "Contents",
    "no_results": "No results",
    "description": "U4SSC indicators for the members of {network}",
    "footer": "{network} · U4SSC indicators for smart sustainable cities",
    "table": "Table",
    "datapackage_link": "⬇ The data package (datapackage.json)",
    "package": "analysis package",
}

#: Landmarks and labels the fallback writes in English or leaves unlabelled (Quarto takes its own from
#: ``lang``), by the markup it writes: analysis.site.finish puts the page's language's words there.
INTERFACE = {
    '<nav class="navbar ': '<nav aria-label="Main menu" class="navbar ',
    '<nav class="quarto-secondary-nav">': '<nav aria-label="Menu on small screens" class="quarto-secondary-nav">',
    '<nav id="quarto-sidebar" ': '<nav aria-label="Side menu" id="quarto-sidebar" ',
    '<nav id="TOC" ': '<nav aria-label="On this page" id="TOC" ',
    '<nav class="page-navigation">': '<nav aria-label="Previous and next page" class="page-navigation">',
    'd-none d-lg-block" aria-label="breadcrumb"': 'd-none d-lg-block" aria-label="Breadcrumbs above the title"',
    'placeholder="Search"': 'placeholder="Search"',  # the renderers' own English: kept, listed for the twin's keys
    'aria-label="Search"': 'aria-label="Search"',
    'aria-label="Toggle navigation"': 'aria-label="Show or hide the navigation"',
    'aria-label="Toggle section"': 'aria-label="Show or hide the section"',
    'aria-label="Toggle sidebar navigation"': 'aria-label="Show or hide the side menu"',
    'aria-label="breadcrumb"': 'aria-label="Breadcrumbs"',
}

# --- pages: methods text, labels, tables, figures, maps, downloads (analysis.pages) -----------------
SECTIONS: dict[str, tuple[str, str]] = {
    "data": (
        "Missing and suppressed figures",
        """\
We only use figures that have actually been published. Cells that Statistics Norway (SSB) has marked
`.` (not applicable), `..` (missing) or `:` (suppressed for confidentiality) are left empty: they are
never turned into zero, and we never work out a suppressed figure backwards from totals. When a
result cannot be computed, the page says why (for example "too few years with figures" or "the
figure is suppressed"). If the same figure appears twice in the data (same municipality, year and
indicator), the build stops with a message saying where, instead of choosing one of them.

In a municipality with fewer than 5,000 inhabitants, a few events can move a per-inhabitant figure
a great deal from one year to the next. The page for such a municipality therefore says that
per-inhabitant figures are uncertain.
""",
    ),
    "trend": (
        "Change over time (trend)",
        """\
For each municipality and each indicator we look at all the years with figures.

* **Linear trend (ordinary least squares, OLS).** We fit the straight line that best matches the
  points. The slope is the change per year, with a 95% confidence interval and a p-value. We also
  show the change as a percentage of the mean of the series.
* **Theil–Sen slope.** A robust alternative: the median of the slopes between all pairs of years.
  A single unusual year has little pull on it.
* **Mann–Kendall test.** Counts how often a later year is higher than an earlier year, and the
  other way round. The test only asks whether the series goes up or down *on the whole*, not
  whether it follows a straight line, and it copes with skewed distributions and outliers. We use
  the normal approximation with a correction for ties and a continuity correction.
* **Assessment (our rule).** With at least 4 years of figures and a known desired direction, we call
  the change *improving* when the Mann–Kendall test gives p < 0.05 and the series moves in the
  desired direction, *worsening* when p < 0.05 and it moves the opposite way, and otherwise *no
  clear trend*. For indicators where a range is best (for example the ratio of women's to men's
  pay close to 1), we test the distance to the range: improving means that the distance shrinks.
  With fewer than 4 years we only show the change from the first to the last year, without a
  test. Note: with exactly 4 years the test can never be significant (the smallest possible
  p-value is 0.09), so the answer is then always "no clear trend". Where the desired direction is
  not known, we give no assessment.
""",
    ),
    "status": (
        "Status against the target (four levels)",
        """\
U4SSC places each indicator in one of four levels by how much of the target has been reached:
**at least 95%**, **66–95%**, **33–66%** and **below 33%**. U4SSC has not published how the
percentage is calculated, so **the formula is our own**:

* higher is better: share reached = value / target (at most 100%);
* lower is better: 100% when the value is at or below the target, otherwise target / value;
* yes/no indicators (for example "has a plan"): 100% when the answer is the one the target asks
  for, otherwise 0% (see "Where we depart from the published formulas");
* indicators with a desired range: 100% within the range; below the range the value is measured
  against the lower limit, above the range against the upper limit, in the same way as above.

The limits belong to the level above: exactly 95% is "at least 95%". On the pages the percentage
is rounded down to a whole percent, so that it always belongs to the level shown next to it. We
use the latest year with figures (up to and including the report year). The targets are set by
the network (common targets) or by the municipality itself (local targets from its own plans),
because U4SSC's own target values are not public. When the figure or the target is missing, the
indicator gets no level.
""",
    ),
    "progress": (
        "Progress towards the target",
        """\
We compare the change from **the base year 2015** (or the first year after 2015 with figures) to
**the latest year with figures** with the change needed to reach the target by the target year
(usually 2030). Growth is measured as the compound annual growth rate in percent (*CAGR*).

* **With a target (Eurostat and Statistics Canada, as Open SDG uses them):** the ratio *R*
  between actual and required annual growth. *R* ≥ 95%: **on track**; 60–95%: **progress, but
  needs to speed up**; 0–60%: **limited progress**; below 0: **deterioration**. If the target has
  already been reached, the result is **target reached**. The two methods give the same answer
  when there is a target.
* **Without a target, Eurostat:** annual growth in the desired direction above 1%: **significant
  progress**; 0–1%: **moderate progress**; 0 to −1%: **moderate movement away**; below −1%:
  **significant movement away**.
* **Without a target, Statistics Canada:** the same idea with the limits 1.5% and 0.5%, but
  the limits are shrunk by a factor *C* when the value is already close to a natural limit (for
  example a share close to 100%), because it is then not possible to grow as fast.
* **SDSN (Sustainable Development Report):** the actual average annual change divided by the
  linear change needed to reach the target: at least 1: **on track**; 0.5–1: **moderately
  improving**; 0–0.5: **stagnating**; below 0: **decreasing**.

**The badge on the indicator pages** uses Eurostat's method: with a target where there is one,
otherwise without a target. The other methods are in the downloadable data. What we do with zero,
negative values, yes/no indicators and other cases the formulas do not cover is set out in the
next section.
""",
    ),
    "deviations": (
        "Where we depart from the published formulas",
        """The progress formulas are published by Eurostat, Statistics Canada and SDSN. Some cases they
do not cover, and in some places the formula, applied literally, would give a misleading answer. Here
are all the places where we calculate differently from the published formula, or where we have made
our own choice because the formula says nothing. The codes in brackets are the notes in the
downloadable data.

* **The target was reached in the base year but is not reached now.** The result is then
  **deterioration**. This is Statistics Canada's rule. Eurostat's formula, applied literally, would
  often give **on track**: both the actual and the required growth are then negative, and the ratio
  of two negative numbers is positive. We use Statistics Canada's answer for Eurostat too
  (`base_met_target`), and likewise for the SDSN method, which then gives **decreasing**.
* **Zero.** Growth in percent cannot be calculated from 0. As in the published methods, we replace
  a starting value or a target of exactly 0 with 0.001. Two things we have added ourselves: a final
  value of 0 is also replaced, so that a series that stays at 0 does not get "−100% a year", and in a
  series with only negative values we use −0.001 (`zero_replaced`). The SDSN method works with the
  change in value and does not need this.
* **Negative values.** All the values from the base year to the latest year, and the target, must
  have the same sign. Otherwise we give no class (`mixed_signs`), because growth in percent then
  makes no sense. In a series with only negative values we reverse the reading of the growth, as
  Statistics Canada does: when a negative number becomes more negative, it grows in percent, but
  the value goes down (`all_negative_direction_flipped`). The SDSN method is based on the change in
  value, not in percent, and does not have this limitation.
* **Natural limit (the factor *C*).** Without a target, Statistics Canada shrinks the growth limits
  by the factor *C* = 1 − (starting value / limit) raised to the power 4.44 when the starting value
  is close to a ceiling (and likewise close to a floor). Statistics Canada sets the limit for each
  indicator; we have read it from the unit in the indicator list: 100 for indicators in percent where
  higher is better, 0 for indicators in percent where lower is better (*C* is then 1, that is, no
  shrinking), and no limit otherwise. The targets file can set another limit or *C* directly. For
  series with only negative values and for indicators with a desired range, *C* = 1.
* **Indicators with a desired range.** None of the methods is made for a range. We use the limit of
  the range closest to the starting value as the target. If the value has moved past the whole range
  and ended up further away than it started, the result is **deterioration**; if it is closer than
  before, we give no class, because growth towards one limit then says nothing (`overshot_band`).
* **Yes/no indicators.** Growth in percent makes no sense for a yes/no answer, so we only look at
  the latest value: target 1 means that "yes" is the target, target 0 that "no" is the target, and
  without a target we take "yes" as the target. If the answer is the one the target asks for, the
  status is 100% and the progress **target reached** in all the methods; otherwise the status is 0%
  and the progress **target not reached**. Trends and comparisons always take "yes" as the best
  answer.
* **Share of the target on the pages.** U4SSC has not published how the share is calculated, so the
  formula is our own (see "Status against the target"). The percentage in brackets after the level
  is **rounded down** to a whole percent, so that it never contradicts the level: 94.99% is shown
  as "66–95% (94%)", not as "66–95% (95%)", and 100% is shown only when the target has been
  reached. In the downloadable data the share is not rounded.

Other choices that are our own are described in their own sections: the assessment of trends
(above) and the choice of comparison year (below).
""",
    ),
    "comparisons": (
        "Comparisons with others",
        """\
We compare the municipality with others in **the same year**: the latest year in which at least
half as many municipalities have figures as in the year with the most figures (so that a few early
figures do not decide the year). For each indicator we show:

* the municipality's value next to **the median and the mean of the network**, **the national
  figure** from the national statistics (not an average of the municipalities), **the county** and
  the median of the **comparison group** (set by the network, for example by size; SSB's KOSTRA
  groups can be used);
* **percentile:** the share of the municipalities with figures that are doing worse (the
  municipality itself and equal values count half). Higher is better; 50 is the middle of the field;
* **robust z-score:** the distance from the median of the municipalities with figures, measured
  in a robust unit of spread (1.4826 × the median of the deviations from the median). Positive
  values mean better than usual; above 2 or below −2 is unusually far from most.

**Is the municipality changing differently from the others?** We compare the municipality's slope
with the common slope of the other members of the network, in one regression model in which each
municipality has its own level. The difference in slope is shown with a confidence interval and a
p-value.
""",
    ),
    "q_values": (
        "q-values: when many indicators are tested at once",
        """\
When we test many indicators for the same municipality, some will look "significant" by chance
alone: with 100 tests and the limit p < 0.05 we expect about five such hits even if nothing really
stands out. **The q-value** adjusts for this (Benjamini–Hochberg). Put simply: if we accept all
results with q below 0.05 as real differences, we will on average be wrong for at most 5% of
them. A small q-value is therefore a stronger signal than a small p-value alone. The q-value is
never smaller than the p-value.
""",
    ),
    "mixed_model": (
        "The network as a whole: common trend and spread",
        """\
**Common trend.** For the network as a whole we estimate one common annual change with a *mixed
model* (a linear model with a random level for each municipality): each municipality gets its own
level, but we estimate one common slope. Large differences in level between the municipalities
then do not count as uncertainty in the trend. Sometimes the best estimate is that the
municipalities do not differ in level at all, beyond random variation. The model is then the same
as an ordinary linear regression with one common level for all. We therefore look for the best fit
(REML) over all possible sizes of the differences in level, zero included; when zero fits best, the
case is marked `boundary_fit`. If the model cannot be fitted (for example because there are too
few figures), the page says why, and we show no figure.

**Are the municipalities getting closer to each other?** Each year we measure how spread out the
members are: the coefficient of variation (standard deviation divided by the mean) when all the
values are positive, otherwise the standard deviation. We use years in which at least three members
have figures. If the spread falls significantly (p < 0.05 in a linear trend over at least four
years), we say that the municipalities are **converging**; if it rises, that they are **diverging**;
otherwise that the spread is **stable**. Note that the spread also changes when municipalities
enter or drop out of the figures.
""",
    ),
}

#: English labels for the codes in the result tables.
LABELS: dict[str, str] = {
    # trends
    "improving": "improving",
    "no_clear_trend": "no clear trend",
    "worsening": "worsening",
    "not_assessed": "not assessed",
    "no_direction": "no desired direction",
    # status bands
    "ge95": "at least 95%",
    "66to95": "66–95%",
    "33to66": "33–66%",
    "lt33": "below 33%",
    # progress
    "achieved": "target reached",
    "not_achieved": "target not reached",
    "on_track": "on track",
    "acceleration_needed": "progress, but needs to speed up",
    "limited_progress": "limited progress",
    "deterioration": "deterioration",
    "significant_progress": "significant progress",
    "moderate_progress": "moderate progress",
    "moderate_away": "moderate movement away",
    "significant_away": "significant movement away",
    "moderately_improving": "moderately improving",
    "stagnating": "stagnating",
    "decreasing": "decreasing",
    # convergence
    "converging": "converging",
    "diverging": "diverging",
    "stable": "stable spread",
    # methods
    "eurostat_target": "Eurostat, with target",
    "eurostat_no_target": "Eurostat, without target",
    "statcan_target": "Statistics Canada, with target",
    "statcan_no_target": "Statistics Canada, without target",
    "sdsn_linear": "SDSN, linear",
}

#: English text for each reason code (see ``analysis.stats.common.REASONS``).
REASONS: dict[str, str] = {
    "": "",
    "no_data": "No figures for this municipality and indicator.",
    "suppressed": "The figures are suppressed (:) and are not used.",
    "missing": "The figures are missing (..).",
    "not_applicable": "The indicator does not apply here (.).",
    "too_few_points": "Too few years with figures for this method.",
    "no_direction": "The desired direction of the indicator is not known.",
    "no_band": "No desired range has been set for the indicator.",
    "no_target": "No target has been set.",
    "no_base_year": "No figures from the base year or later.",
    "mixed_signs": "The values (or the target) have different signs, so growth in percent makes no sense.",
    "zero_variance": "All the values are equal.",
    "target_not_positive": "The target is zero or negative, so a share of the target makes no sense.",
    "value_not_positive": "The value is zero or negative where the formula needs a positive value.",
    "no_value_in_year": "No figure for the municipality in the comparison year.",
    "not_in_units": "The unit is not in the list of units.",
    "no_group": "No comparison group with figures.",
    "no_group_data": "Too few figures in the comparison group.",
    "too_few_units": "Too few municipalities with figures.",
    "fit_failed": "The model could not be fitted.",
    "not_converged": "The model fit did not converge; we show no figure.",
    "singular_fit": "The model fit is singular; we show no figure.",
    "target_year_not_after_base": "The target year is not after the base year.",
    "band_kpi": "The growth classes without a target do not apply to indicators with a desired range.",
    "overshot_band": "The value has moved past the whole desired range and is now closer to it than in the base "
    "year; growth towards one of the limits says nothing about it.",
    "not_computed": "Not computed.",
}


#: English text of each warning a soft plausibility rule gives (the ``warning`` column of
#: ``data/reference/plausibility.csv``): the same names as ``text_nb.WARNINGS``; the text says why the value is
#: unusual, not that it is wrong.
WARNINGS: dict[str, str] = {
    "life_expectancy": "Unusual value. Life expectancy in Norwegian municipalities is between about 78 and 86 years.",
    "turnout": "Unusual value. Turnout at municipal elections is between about 50 and 80%.",
    "water_use": "Unusual value. Water use is about 150–600 litres per inhabitant per day, leakage included.",
    "response_time": "Unusual value. A response time of more than an hour is rare in Norway; is the figure in minutes?",
    "mobile_subscriptions": "Unusual value. Norway has about 100,000–140,000 mobile subscriptions per 100,000 "
    "inhabitants.",
    "congestion": "Unusual value. Even in the largest cities a journey in the rush hour rarely takes more than "
    "three times as long.",
}

#: How a warning is introduced next to the value on a page.
WARNING_LABEL = "Note"


#: How the methods page names each choice of params/methods.yaml.
METHOD_SETTING_LABELS = {
    "alpha": "Significance level for all tests (two-sided)",
    "min_points": "Smallest number of years with values for a trend test",
    "coverage_share": "A comparison year must have values for at least this share of the units in the best-covered "
    "year",
    "slope_model": "Model for comparing a unit's trend with the network's",
    "slope_group": "The group a unit's trend is compared with",
    "small_population": "Below this many inhabitants, per-inhabitant figures are marked as uncertain",
}
METHOD_VALUES = {
    "unit_fe": "each unit its own level",
    "pooled": "common model (value ~ year × unit)",
    "network": "the network's members",
    "all": "all units",
}


def method_settings_markdown(methods: dict) -> str:
    """The method choices the results were computed with (params/methods.yaml), as a table for the methods page."""

    def shown(value) -> str:
        if isinstance(value, float):
            return f"{value:g}"
        if isinstance(value, int):
            return f"{value:,}"
        return METHOD_VALUES.get(value, str(value))

    rows = [f"| {METHOD_SETTING_LABELS.get(k, k)} | {shown(v)} | `{k}` |" for k, v in methods.items()]
    return (
        "\n## Choices in this report\n\nThe statistics on the site are computed with these choices "
        "(the file `params/methods.yaml`):\n\n| Choice | Value | Name in the file |\n|---|---|---|\n"
        + "\n".join(rows)
        + "\n"
    )


# --- downloads, the data page and the footer ------------------------------------------------------

#: The columns of every page's CSV download (``analysis.site.downloads``): header and what it holds.
#: The data page lists them with these descriptions.
DOWNLOAD_COLUMNS: dict[str, tuple[str, str]] = {
    "part": ("Part", "The part of the page the number is in: a table, a figure, or progress by every method"),
    "unit_code": ("Unit code", "Municipality or county number in the 2024 borders (0 is the whole country)"),
    "unit_name": ("Unit", "The name of the municipality or county"),
    "kpi_id": ("Indicator code", "The U4SSC indicator's code in the catalog (the data point)"),
    "kpi_name": ("Indicator", "The indicator's name in English"),
    "dimension": ("Dimension", "The U4SSC dimension the indicator belongs to"),
    "measure_unit": ("Unit of measurement", "The unit the value is measured in"),
    "year": (
        "Year",
        "The year the number refers to (for a target: the target year; for progress: the latest year with figures)",
    ),
    "measure": ("Measure", "What the number is: value, median, target, share of the target, slope, p-value …"),
    "method": ("Method", "The method the number is computed with, where it is computed"),
    "value": ("Value", "The number, with a decimal point and full precision (the page rounds it)"),
    "text": ("Text", "What the page shows in words: status band, assessment, progress class, SSB symbol or reason"),
    "source": ("Source", "The source of the figures the row is based on"),
    "vintage": ("Version", "The version of the source (table and retrieval date, or the targets file)"),
}

#: The parts of a page, as the CSV's "Part" names them (the page's own headings).
DOWNLOAD_PARTS: dict[str, str] = {
    "profile": "Profile",
    "dimensions": "Figure: the three dimensions",
    "kpi_table": "Table: all indicators",
    "key_series": "Figure: change for selected indicators",
    "comparison": "Compared with the rest of the network",
    "slope_tests": "Table: where the change stands out",
    "progress": "Progress, all methods",
    "facts": "About the indicator",
    "all_units": "Figure: change in the municipalities",
    "members": "Table: the members in the report year",
    "network_trend": "The network as a whole",
    "side_by_side": "Table: the members side by side",
    "heatmap": "Figure: heat map (robust z)",
    "spread": "Figure: the spread between the members",
    "map": "Map",
}

#: What a number in the CSV is ("Measure").
DOWNLOAD_MEASURES: dict[str, str] = {
    "kind": "Type",
    "county": "County",
    "peer_group": "Comparison group",
    "breaks": "Breaks in the series",
    "small_population": "Small numbers: below this many inhabitants, per-inhabitant figures are uncertain",
    "population": "Population on 1 January",
    "kpis_reported": "Indicators with figures",
    "kpis_in_catalog": "Indicators in the catalog",
    "kpis_with_target": "Indicators with a target",
    "first_year": "First year with figures",
    "last_year": "Latest year with figures",
    "n_improving": "Indicators improving",
    "n_worsening": "Indicators worsening",
    "n_kpis": "Number of indicators",
    "value": "Value",
    "latest_value": "Latest value",
    "warning": "Note: unusual value, accepted with a warning",
    "target": "Target",
    "band_low": "Target range, lower limit",
    "band_high": "Target range, upper limit",
    "achieved_pct": "Share of the target reached (%)",
    "mk_p": "Change (Mann–Kendall), p-value",
    "ols_slope": "Change per year (OLS)",
    "ols_ci_low": "Change per year (OLS), 95% CI lower",
    "ols_ci_high": "Change per year (OLS), 95% CI upper",
    "badge": "Progress (the badge on the page)",
    "network_median": "Network median",
    "network_mean": "Network mean",
    "county_value": "County value",
    "national_value": "National value",
    "peer_median": "Comparison group median",
    "percentile_rank": "Percentile",
    "robust_z": "Robust z (positive = better)",
    "county_z": "Median robust z of the county's municipalities",
    "slope_unit": "Change per year, the unit",
    "slope_group": "Change per year, the rest",
    "diff": "Difference in change per year",
    "ci_low": "Difference, 95% CI lower",
    "ci_high": "Difference, 95% CI upper",
    "q_value": "q-value",
    "base_value": "Value in the base year",
    "progress": "Progress",
    "ratio": "Ratio of actual to required (R)",
    "growth_good_direction": "Annual growth in the desired direction",
    "cagr_observed": "Actual annual growth (share)",
    "cagr_required": "Required annual growth (share)",
    "change_observed": "Actual change per year",
    "change_required": "Required change per year",
    "c_factor": "Factor C (natural limit)",
    "mixed_slope": "Common change per year (mixed model)",
    "mixed_ci_low": "Common change per year, 95% CI lower",
    "mixed_ci_high": "Common change per year, 95% CI upper",
    "mixed_p": "Common change per year, p-value",
    "spread_p": "Change in the spread, p-value",
    "median": "Median of the members",
    "p10": "10th percentile of the municipalities",
    "p25": "25th percentile of the municipalities",
    "p50": "Median of the municipalities",
    "p75": "75th percentile of the municipalities",
    "p90": "90th percentile of the municipalities",
    "q1": "Lower quartile of the members",
    "q3": "Upper quartile of the members",
    "code": "U4SSC code",
    "own_code": "The network's own indicator (code)",
    "formula": "Calculation",
    "name_en": "English name",
    "data_point": "Data point",
    "direction": "Direction",
    "sdg_goals": "Sustainable Development Goals",
    "network_target": "The network's target",
    "band": "Status band",
    "map_value": "Value on the map (the colour class in the text)",
    "map_share_ge95": "Share of the indicators with a target that have reached at least 95% of it (%)",
    "map_n_banded": "Indicators with a target and figures",
    "map_class_low": "Colour class, lower limit",
    "map_class_high": "Colour class, upper limit",
}

DOWNLOAD_TEXTS = {
    "local_target": "local target",
    "network_target": "the network's target",
    "no_band": "no target or figures",
    "median_of": "median of the members of the same type",
    "median_towns": "median of the municipalities",
    "trend_method": "Mann–Kendall test",
    "ols": "ordinary least squares (OLS)",
    "robust_z": "(value − median) / (1.4826 · MAD), turned so that positive is better",
    "slope_test": "regression, each unit its own level; q by Benjamini–Hochberg",
    "mixed": "mixed model (REML)",
    "spread": "median and quartiles of the members",
    "computed": "Computed by Bærekraftsnettverket",
    "catalog_source": "ITU, the U4SSC indicators (ITU-T Y.4903), the indicator catalog",
    "inferred": " (inferred from the definition)",
    "population_vintage": "1 January {year}",
}

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def date_long(iso: str) -> str:
    """'2026-12-03' as an English reader writes it: '3 December 2026' (the text itself when not a date)."""
    try:
        year, month, day = (int(p) for p in str(iso)[:10].split("-"))
        return f"{day} {MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return str(iso)


#: The footer of every page (``_quarto.yml`` ``page-footer``, filled in by the build). ``{network}``,
#: ``{date}`` and ``{vintage}`` arrive escaped.
FOOTER = "{network} · U4SSC indicators for smart sustainable cities · Last updated {date} · Data version {vintage}"

#: The data page (reports/data.qmd includes what analysis.site.datapage writes from these).
DATA_PAGE = {
    "intro": (
        "Here you can download all the processed tables the pages are made from: the observations, all the "
        "results tables, the indicator catalog and the units (the members). Each table is available as CSV (UTF-8 "
        "with BOM, comma as separator, point as decimal sign; opens directly in Excel) and as Parquet (for R, "
        "Python and other analysis tools). Each column is described below and in the data package "
        "`datapackage.json` ([Frictionless Data Package](https://datapackage.org/)), which can also be used to "
        "check the files by machine."
    ),
    "csv_note": (
        "In the CSV files a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return has been given "
        "a leading apostrophe, so that a spreadsheet does not run it as a formula. The Parquet files have the texts "
        "untouched."
    ),
    "pages_heading": "The numbers on each page",
    "pages_intro": (
        "Every municipality, county and indicator page and the front page has a link “Download the numbers on "
        "this page (CSV)”. The file has one row per number on the page: the series behind each figure (all "
        "years), the values and colour classes on the maps, the values in the tables, the comparison with the "
        "network's median, the county and the whole country, the targets, the progress by all five methods (the "
        "page shows only Eurostat's), and the source and version on every row. The columns:"
    ),
    "tables_heading": "The tables",
    "columns_heading": "The columns of",
    "licence_heading": "Licence and sources",
    "build_heading": "About this version",
    "file": "File",
    "rows": "Rows",
    "size": "Size",
    "what": "Contents",
    "column": "Column",
    "type": "Type",
    "description": "Description",
    "source": "Source",
    "licence": "Licence",
    "code_version": "Code version",
    "data_digest": "Checksum of the data (SHA-256)",
    "data_vintage": "Data version",
    "built": "Last updated",
    "report_year": "Report year",
    "data_mode": "Data",
    "demo": "demonstration data (generated figures)",
    "ingested": "data read in from data/raw",
    "unknown_version": "unknown (not built from a git repository)",
    "this_version": "This version",
}

#: What each processed table holds (the data page and the data package's resource descriptions).
TABLES: dict[str, str] = {
    "observations": "All observations: one row per unit, year and indicator, with value, SSB symbol, source and "
    "version",
    "catalog": "The indicator catalog: all 112 U4SSC data points with name, dimension, unit and direction",
    "units": "The units: the members (municipalities and county authorities), their counties and the whole country",
    "targets": "The targets: the network's common targets and the members' local targets",
    "trends": "Trend per unit and indicator: OLS, Theil–Sen and Mann–Kendall with assessment",
    "status": "Status against the target per unit and indicator: share of the target reached and status band",
    "progress": "Progress towards the target per unit and indicator, one row per method (five methods)",
    "comparisons": "The level compared with the network, the county, the country and the comparison group",
    "slope_tests": "The unit's trend compared with the rest of the network, with q-values",
    "network_trends": "The network's common trend per indicator (mixed model) and the change in the spread",
    "spread": "The spread between the members per indicator and year (median, quartiles, coefficient of variation)",
}

#: The site's navigation (analysis/site/navigation.py): the sidebar's entries, the members and indicators
#: pages with their filters, and the breadcrumbs. ``{n}`` and ``{total}`` are filled in by the filter.
NAV = {
    "network": "The network",
    "members": "Members",
    "indicators": "Indicators",
    "methods": "Methods",
    "about_data": "About the data",
    "data": "Download data",
    "members_description": "All the members, by county",
    "indicators_description": "All the indicators with a page of their own, by dimension",
    "members_intro": "All {total} members of the network, by county. Each name links to the member's page.",
    "indicators_intro": "All {total} indicators with a page of their own, by dimension.",
    "members_filter": "Filter the members (name or county)",
    "indicators_filter": "Filter the indicators (name or code)",
    "members_count": "{n} of {total} members shown",
    "indicators_count": "{n} of {total} indicators shown",
    "county_authority": "county authority",
    "breadcrumbs": "Breadcrumbs",
    "own": "the network's own indicator",
}

#: The maps (analysis/pages/maps.py and the map functions of analysis/pages/content.py). ``{…}`` are filled in
#: escaped where they come from data.
MAPS = {
    "heading_network": "The members on the map",
    "heading_indicator": "The members on the map",
    "credit": "Map: Kartverket (CC BY 4.0), borders simplified by robhop/fylker-og-kommuner",
    "credit_short": "Map: Kartverket (CC BY 4.0)",
    "no_value": "Member without figures",
    "no_target": "Member without a target to measure against",
    "non_member": "Not a member",
    "darker_better": "darker is better",
    "darker_higher": "darker is higher (no direction is better)",
    "status_legend": "Share of the indicators with a target\nthat have reached at least 95% of it",
    "status_caption": (
        "The members on a map of Norway, coloured by the share of their indicators with a target and figures that "
        "have reached at least 95% of the target (the column “Status at least 95%” in the table above divided by the "
        "sum of the four status columns). Darker is better. County authorities are shown with the whole county, "
        "the municipalities on top; small municipalities also have a dot. Grey areas are not members; the county "
        "borders are drawn in."
    ),
    "status_alt": "Map of Norway with {n} members coloured by the share of indicators that have reached at least "
    "95% of the target.",
    "highest": "Highest: {names} ({value}).",
    "lowest": "Lowest: {names} ({value}).",
    "none_with_value": "None of the members has a figure to show.",
    "without_value": "Without figures: {names}.",
    "value_caption": (
        "{kpi} ({unit}): the members' latest value (the column “Value” in the table below) on a map of Norway. "
        "{classes} {direction} County authorities are shown with the whole county, the municipalities on top; "
        "small municipalities also have a dot. Grey areas are not members; hatched ones are members without figures."
    ),
    "value_alt": "Map of Norway with {kpi} for {n} members in {k} colour classes from {low} to {high}.",
    "classes_quantile": "The colours are {k} classes with about as many members in each; a value on a class "
    "limit belongs to the class above.",
    "classes_binary": "“Yes” and “no” each have their own colour.",
    "value_alt_none": "Map of Norway of {kpi} for {n} members.",
    "direction_better": "The colours are turned by the indicator's direction ({direction}), so that darker is always "
    "better.",
    "direction_none": "The indicator has no set direction: darker is higher.",
    "not_on_map": "Not on the map (did not exist in the {year} borders): {names}.",
    "table_summary": "The numbers on the map",
    "col_unit": "Unit",
    "col_value": "Value",
    "col_year": "Year",
    "col_share": "Share at least 95% of the target",
    "col_with_target": "Indicators with a target and figures",
    "col_class": "Colour class",
    "share_classes": ("0–25%", "25–50%", "50–75%", "75–100%"),
    "binary_yes": "yes",
    "binary_no": "no",
}

# --- words of analysis.pages.present, figures and content (read at call time through language.texts()) -----

#: Number format: thousands separator in text and in figures, decimal sign, and what follows a percentage.
NUMBER = {"thousands": ",", "figure_thousands": ",", "decimal": ".", "percent": "%"}

#: A KPI's direction in words.
DIRECTIONS = {
    "higher_is_better": "higher is better",
    "lower_is_better": "lower is better",
    "binary": "yes/no",
    "target_band": "closest to the target range is best",
    "unknown": "direction not set",
}
#: SSB's symbols, named as on the methods page and in the submission template.
STATUS_SYMBOLS = {"..": "missing", ":": "suppressed", ".": "not applicable"}
UNIT_TYPES = {"kommune": "Municipality", "fylke": "County authority", "land": "Whole country"}
#: A municipality's page title ("Ålesund municipality"); a county is called by its name alone.
MEMBER_TITLE = "{name} municipality"

#: Where the catalog's texts come from: the page's column, the catalog's column, and the column used where it is
#: empty (an own indicator without ``name_en``: its Norwegian name).
CATALOG_COLUMNS = {
    "kpi_name": ("name_en", "name_nb"),
    "kpi_unit": ("unit", "unit_nb"),
    "kpi_dimension": ("dimension", "dimension_nb"),
    "kpi_subdimension": ("subdimension", "subdimension_nb"),
    "kpi_category": ("category", "category_nb"),
}

#: The catalog's column an indicator page names as the KPI's name in the other language ("Norwegian name").
OTHER_NAME_COLUMN = "name_nb"

#: Notes the processing writes in bokmål (analysis/process/population.py: a population figure from before a split),
#: as the page says them.
DATA_NOTES = {
    "gjelder kommunen før delingen i 2024 (brudd i serien)": "refers to the municipality before the split in 2024 "
    "(break in the series)",
}

PRESENT = {
    "yes": "yes",
    "no": "no",
    "local_target": "local target",
    "demo_title": "Demonstration data",
    "demo_body": "The figures on this page are **demonstration data**: they are drawn at random (the same every "
    "time the report is made) and show what the report looks like, but say nothing about the municipalities' "
    "actual sustainability.",
}

#: Labels inside the figures (analysis.pages.figures).
FIGURES = {
    "no_band": "no target or figures",
    "n_kpis": "Number of indicators",
    "share_achieved": "Share of the target reached",
    "the_unit": "The unit",
    "network_median": "Network median",
    "target": "Target",
    "p10_p90": "80% of the municipalities",
    "middle_half": "Middle half",
    "median": "Median",
    "the_town": "The municipality",
    "other_towns": "The other municipalities",
}

#: The headings and fixed sentences of the notebooks (notebooks/*.ipynb show them with content.heading and
#: content.section_intro).
HEADINGS = {
    "summary": "Summary",
    "dimensions": "The three dimensions",
    "all_kpis": "All indicators",
    "key_series": "Change for selected indicators",
    "comparison": "Compared with the rest of the network",
    "side_by_side": "The members side by side",
    "improving": "Where the network is improving",
    "worsening": "Where the network is getting worse",
    "spread": "Are the members getting closer to each other?",
    "all_units": "Change in the municipalities",
    "members": "The members in the report year",
    "network_trend": "The network as a whole",
}
INTROS = {
    "dimensions": "The U4SSC indicators are divided into three dimensions: economy, environment, and society and "
    "culture. The figure shows how many indicators have reached different shares of the target. Grey means that "
    "the target or the figures are missing.",
    "all_kpis": "The latest value, the target and how much of it has been reached, the change over time (trend) and "
    "the progress towards the target. The methods are explained on the [methods page](../metode.html).",
    "heatmaps": "The heat maps show each municipality against the network's median for each indicator in the "
    "report year, one figure per dimension.",
    "improving": "Indicators where the members' common trend (mixed model with a level of its own for each unit) "
    "moves in the right direction with p < 0.05.",
    "worsening": "Indicators where the common trend moves in the wrong direction with p < 0.05.",
}

#: The sentences, table headers, captions and alt texts of the pages (analysis.pages.content). ``{…}`` from data
#: arrive escaped where they land in Markdown (captions and alt texts are escaped as a whole).
PAGE = {
    # lists and ranges
    "and": "and",
    "n_of": "{n} of {total}",
    "range": "{value} ({low} to {high})",
    "no_numbers": "No figures.",
    # a member's profile
    "fact_type": "Type",
    "fact_code": "Code",
    "fact_county": "County",
    "fact_peer_group": "Comparison group",
    "fact_population": "Population 1 January {year}",
    "fact_small": "Small numbers",
    "small_text": "Fewer than {n} inhabitants: per-inhabitant figures can vary a great deal from year to year and "
    "are uncertain",
    "fact_breaks": "Breaks in the series",
    "fact_existed": "Existed",
    "fact_reported": "Indicators with figures",
    "fact_years": "Years with figures",
    "fact_with_target": "Indicators with a target",
    "fact_trends": "Improving / worsening",
    "no_testable": "– (too few years for a trend to be statistically significant)",
    # the three dimensions
    "dim_part": "{dim}: {good} of {total} indicators have reached at least 95% of the target",
    "dim_alt": "Bar chart for {name}. {parts}.",
    "dim_caption": "{name}: the number of indicators in each status band (share of the target reached) for the three "
    "dimensions, latest year with figures up to and including {year}.",
    # the table of every KPI
    "without_target": "{label} (without target)",
    "col_kpi": "Indicator",
    "col_year": "Year",
    "col_value": "Value",
    "col_target": "Target (year)",
    "col_status": "Status (share of target)",
    "col_trend": "Trend (Mann–Kendall)",
    "col_progress": "Progress (Eurostat)",
    "col_slope": "Change per year (OLS)",
    "col_robust_z": "Robust z",
    "dim_none": "No figures reported for the {n} indicators in this dimension.",
    "not_reported": "Not reported ({n} of {total} indicators): {names}.",
    # the key figure
    "key_alt": "Line charts for {name} with the network's median and the target for {n} indicators. {described}.",
    "key_caption": "Change in {name} (blue) for selected indicators, compared with the network's median (grey, "
    "dashed) and the target (red, dotted).",
    # the comparison
    "col_network_median": "Network (median)",
    "col_county": "County",
    "col_nation": "Whole country",
    "col_percentile": "Percentile",
    "col_z_better": "Robust z (positive = better)",
    "no_direction_set": "no direction set",
    "better": "better than the rest",
    "weaker": "weaker than the rest",
    "none_differ": "None of the {n} indicators tested changes in {name} in a way that differs significantly from the "
    "rest of the network (q < 0.05 after correcting for many simultaneous tests).",
    "col_slope_unit": "Change per year, {name}",
    "col_slope_rest": "Change per year, the rest",
    "col_diff": "Difference (95% CI)",
    "col_q": "q-value",
    "col_assessment": "Assessment",
    "differ_intro": "{n} of {total} indicators tested change differently in {name} than in the rest of the network "
    "(q < 0.05):",
    "peers_towns": "municipalities",
    "peers_counties": "county authorities",
    "comparison_intro": "The level in the comparison year (the latest year most have figures for, normally {year}) "
    "for the selected indicators, compared with the other {peers} in the network, the county and the whole country "
    "where the figures exist. The percentile is the share of the units with figures that {name} is doing better "
    "than (equal values count half); the robust z-score is turned so that positive means better.",
    "differ_heading": "Where does the change stand out?",
    "differ_text": "For each indicator the change per year in {name} is compared with the change in the rest of the "
    "network (a regression in which each municipality has its own level). Because over a hundred indicators are "
    "tested at once, the p-values are adjusted to q-values (Benjamini–Hochberg).",
    # the network's status table
    "col_member": "Member",
    "col_population": "Population",
    "col_status_band": "Status {band}",
    "col_improving": "Improving",
    "col_worsening": "Worsening",
    "status_note": "“Improving” and “Worsening” count indicators with a statistically significant trend in the "
    "desired or the opposite direction; – means that the unit has too few years with figures for a trend to be "
    "statistically significant.",
    # the heat maps
    "heat_left_out": " {n} of the dimension's {total} indicators are left out because the municipalities have no "
    "figures to compare for them.",
    "heat_columns_counties": "counties",
    "heat_side_counties": "the counties",
    "heat_colour_counties": "the median of the robust z-scores of the county's municipalities",
    "heat_columns_towns": "municipalities",
    "heat_side_towns": "the municipalities",
    "heat_colour_towns": "the robust z-score",
    "heat_alt": "Heat map for {dimension} with {rows} indicators in rows and {cols} {columns} in columns; blue is "
    "better and red weaker than the network's median. Highest mean: {best}; lowest: {worst}.",
    "heat_caption": "{dimension}: {side_by_side} side by side in the comparison year (the latest year most have "
    "figures for, normally {year}). The colour is {colour} per indicator, (value − median) / (1.4826 · MAD), turned "
    "so that positive always means better. Grey, hatched cells have no figures.{left_out}",
    "heat_scale": "robust z (positive = better)",
    # the network's common trends
    "no_kpis": "No indicators.",
    "col_dimension": "Dimension",
    "col_common_slope": "Common change per year (95% CI)",
    "col_measure_unit": "Unit",
    "col_p": "p-value",
    "col_spread": "Spread between the members",
    "spread_alt": "Line charts of the median and the interquartile range of the members per year for: {titles}.",
    "spread_caption": "The spread between the members over time for the indicators where it changes most clearly: "
    "median (line) and the middle half of the members (shaded).",
    # page frames
    "in_county": "in {county}",
    "county_authority": "county authority",
    "unit_intro": "This page shows how {name} ({where}) is doing on the U4SSC indicators for smart sustainable "
    "cities, with figures up to and including {year}.",
    "download_pdf": "⬇ Download the annual report (PDF, in Norwegian)",
    "download_csv": "⬇ Download the numbers on this page (CSV)",
    "download_network_csv": "⬇ Download the numbers for the whole network (CSV)",
    "summary_reported": "{name} has figures for {reported} of {total} indicators. {banded} of them have a target and a "
    "figure to measure against it: {ge95} have reached at least 95% of the target, and {lt33} have reached less "
    "than a third of it (latest year with figures up to and including {year}).",
    "summary_trends": "Over time, {better} indicators move in the desired direction and {worse} in the wrong "
    "direction, so clearly that it is not chance (Mann–Kendall test, {alpha} significance level).",
    "clearest_better": " Clearest improvement: {names}.",
    "clearest_worse": " Clearest worsening: {names}.",
    "no_trends": "There are too few years with figures for a trend to be statistically significant.",
    "summary_progress": "Measured against the targets, {on_track} of {judged} indicators are on track or have reached "
    "the target, and {away} are moving away from it (progress by Eurostat's method).",
    "town": "municipality",
    "towns": "municipalities",
    "county_member": "county authority",
    "county_members": "county authorities",
    "no_members": "no members",
    "network_intro": "{network} measures local sustainability with the UN's U4SSC indicators for smart sustainable "
    "cities (91 indicators, 112 data points, linked to the 17 Sustainable Development Goals). The report covers "
    "{members} with figures up to and including {year}. Choose a municipality or a county in the menu to see its "
    "own page.",
    "sources": "**Source:** {sources} (version {vintages}). **Computed with** Bærekraftsnettverket's analysis "
    "package (version {version}), Python {python} and pandas {pandas}.",
    # an indicator's page
    "target_by": "{target} by {year}",
    "no_common_target": "no common target",
    "direction_inferred": " (inferred from the definition, not given by ITU)",
    "fact_u4ssc_code": "U4SSC code",
    "data_point": ", data point {point}",
    "fact_other_name": "Norwegian name",
    "fact_dimension": "Dimension",
    "fact_kind": "Type",
    "core": "Core indicator",
    "advanced": "Advanced indicator",
    "fact_unit": "Unit",
    "fact_direction": "Direction",
    "fact_sdgs": "Sustainable Development Goals",
    "fact_network_target": "The network's target",
    "col_indicator_facts": "Indicator",
    "lowest_highest": "In {year} the value is lowest in {low} ({low_value}) and highest in {high} ({high_value}).",
    "target_dotted": ", the network's target dotted.",
    "spread_fig_alt": "Line chart of the distribution of {kpi} in {n} municipalities per year: the median as a line, "
    "the middle half and 80% of the municipalities as bands. {extremes}",
    "spread_fig_caption": "{kpi}: the median of the municipalities (line), the middle half (dark band) and 80% of the "
    "municipalities (light band){goal} The table below shows each municipality.",
    "multiples_alt": "Small line charts, one per municipality, of {kpi} for {n} municipalities per year. {extremes}",
    "multiples_caption": "{kpi}: each municipality (blue) against the other municipalities (grey) and the network's "
    "median (dashed){goal}",
    "no_common_trend": "The common trend could not be computed. {reason}",
    "right_direction": "in the right direction",
    "wrong_direction": "in the wrong direction",
    "no_sure_direction": "without a clear direction (p ≥ 0.05 or no set direction)",
    "common_trend": "Common change per year for the members (mixed model with a level of its own for each unit): "
    "**{slope}** (95% CI {low} to {high}, {p}) {unit} — {reading}. Spread between the members: {spread}.",
}

# --- the network's own and derived indicators (params/indicators.yaml) --------------------------------

OWN = {
    "label": "The network's own indicator",
    "group": "The network's own indicators",
    "marker": "the network's own indicator",
    "source": "Source",
    "formula": "Calculation",
    "table_note": "The network's own indicators in the table, with source and calculation",
    "left_out": "Left out",
}
POPULATION = "the population on 1 January of the same year (SSB, table 07459, in today's municipal borders)"


def formula_phrase(formula: str, names: dict[str, str]) -> str:
    """A derived indicator's formula as the page states it, in plain text (escaped where it lands):
    '“Greenhouse gas emissions” / population × 1,000, where the population is …'."""
    from analysis.reference.indicators import PER_INHABITANTS, parse_formula

    kind, series = parse_formula(formula)
    if kind == "share":
        a, b = (names.get(s, s) for s in series)
        return f"“{a}” / “{b}” × 100 (percent, same unit and year)"
    factor = f"{PER_INHABITANTS[kind]:,}"
    return f"“{names.get(series[0], series[0])}” / population × {factor}, where the population is {POPULATION}"


#: Above the list of values left out of a member's table (border changes).
LEFT_OUT_HEADING = "Values not included (border changes)"

#: A value a border change left out (analysis/process/pipeline.py ``left_out_rows``), as the member's page says
#: it; keyed by the reason the pipeline records.
BORDER_LEFT_OUT = {
    "split": "the value for {code} {name} ({year}) cannot be carried over to today's borders: the municipality was "
    "split, and no part carries it on (a share cannot be divided)",
    "merged": "the value for {code} {name} ({year}) cannot be carried over to today's borders: the municipality was "
    "merged with others, and a share or rate cannot be recalculated without the figures for all the parts",
    "unknown": "the value for {code} ({year}) has a code that is not in the code list for the year",
}


#: The "Sources" section of member and indicator pages (analysis.pages.sources).
SOURCES = {
    "heading": "Sources",
    "intro": "The numbers on this page come from the sources below. The page's CSV file gives the source of every "
    "single number.",
    "none": "This page shows no numbers.",
    "source": "Source",
    "vintage": "Version",
    "supplies_kpis": "Indicators",
    "supplies_members": "Members",
    "years": "Years",
    "kpis": "{n} indicators",
    "members": "{n} members",
}

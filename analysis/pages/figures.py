"""Seaborn figures for the pages. Each function returns a Matplotlib figure; captions and
alternative text are written by the page functions that know the context.

The backend is not chosen here: the batch starts its kernels with ``MPLBACKEND=Agg``
(:mod:`analysis.site.batch`), and in JupyterLab the notebook's own inline backend is kept.

Names and labels come from data, so Matplotlib's maths (``$...$``) is switched off: a dollar sign in a
name is a dollar sign. Value axes use the page's number format (bokmål: decimal comma, thin space between
thousands; English: decimal point, comma between thousands; a real minus sign in both); years are left as
they are. Legend labels are in the page's language (:func:`analysis.pages.language.texts`, read when a
figure is drawn). Colours are safe for colour-blind
readers (blue-red for the heat map, the Okabe-Ito-based ``colorblind`` palette with a marker and dash
per line for the many-lines chart)."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

from analysis.pages import language
from analysis.pages.present import BAND_COLOURS, BAND_ORDER, bands

# ``axes.titley`` fixed at its automatic value: no panel has ticks above it, so the title lands where matplotlib
# would place it, without measuring every tick label of every panel at each draw (in a profile, 0.44 s of a national
# key figure's 0.8 s; the SVGs are byte for byte the same).
sns.set_theme(
    style="whitegrid", context="notebook", font="DejaVu Sans", rc={"text.parse_math": False, "axes.titley": 1.0}
)
UNIT_COLOUR = "#1f5fa8"
NETWORK_COLOUR = "#6b6b6b"
TARGET_COLOUR = "#c0392b"
HEATMAP_COLOURS = "RdBu"  # red (worse) to blue (better): distinguishable with red-green colour blindness


class SiteFormatter(matplotlib.ticker.ScalarFormatter):
    """Tick labels as on the rest of the page: '12,5', '10 000', '−3' (English: '12.5', '10,000', '−3'). The
    language is read when the labels are drawn, in the page that draws them."""

    def __init__(self) -> None:
        super().__init__(useOffset=False, useMathText=False)
        self.set_scientific(False)

    def __call__(self, x, pos=None) -> str:
        text = super().__call__(x, pos).replace("-", "\u2212")
        sign = "\u2212" if text.startswith("\u2212") else ""
        whole, _, decimals = text.removeprefix("\u2212").partition(".")
        marks = language.texts().NUMBER
        if len(whole) > 4:  # '1000' stays, '10 000' gets its space (SSB's rule)
            whole = f"{int(whole):,}".replace(",", marks["figure_thousands"])
        return sign + whole + (marks["decimal"] + decimals if decimals else "")


def site_values(axis) -> None:
    axis.set_major_formatter(SiteFormatter())


#: Figures are drawn at about the width the page shows them (the text column is about 7.5 in at 96 dpi),
#: so their text keeps its size on the screen.
PAGE_WIDTH = 7.6
MISSING_COLOUR = "#d9d9d9"


def panel_title(text: str, width: int = 34) -> str:
    """A small panel's title on as many lines as it needs, never running into the next panel."""
    return "\n".join(textwrap.wrap(text, width)) or text


def band_bars(counts: pd.DataFrame) -> plt.Figure:
    """Stacked horizontal bars: per dimension, how many KPIs fall in each status band."""
    fig, ax = plt.subplots(figsize=(7.5, 0.6 + 0.55 * len(counts)))
    words, named = language.texts().FIGURES, bands()
    left = np.zeros(len(counts))
    for band in BAND_ORDER + [""]:
        if band not in counts.columns:
            continue
        values = counts[band].to_numpy(dtype=float)
        label = named[band] if band else words["no_band"]
        ax.barh(counts.index, values, left=left, color=BAND_COLOURS[band], label=label, edgecolor="white")
        left += values
    ax.set_xlabel(words["n_kpis"])
    ax.set_ylabel("")
    ax.invert_yaxis()
    ax.legend(title=words["share_achieved"], bbox_to_anchor=(1.01, 1), loc="upper left", frameon=False)
    return fig


#: The fixed grid of small panels (inches): room for a panel title of up to ``TITLE_LINES`` lines, the
#: value axis' tick labels to the left of each panel, the years below it and the legend at the bottom.
TITLE_LINES = 3
LINE_HEIGHT = 0.15
GRID_MARGINS = {"left": 0.62, "right": 0.12, "top": 0.1, "tick_labels": 0.28, "legend": 0.34, "between": 0.62}


def grid_layout(fig: plt.Figure, nrows: int, ncols: int, lines: int, legend: bool) -> None:
    """Place a grid of small panels from fixed margins instead of ``tight_layout``: that measures every
    text of every panel, twice (once more for ``bbox_inches="tight"``), and was the largest single cost of
    a member page (about 1 s of its 2). ``lines`` is the most lines a panel title has here."""
    width, height = fig.get_size_inches()
    m = GRID_MARGINS
    title = m["top"] + LINE_HEIGHT * lines
    bottom = m["tick_labels"] + (m["legend"] if legend else 0.05)
    gap = title + m["tick_labels"]
    axes_height = (height - title - bottom - (nrows - 1) * gap) / nrows
    axes_width = (width - m["left"] - m["right"] - (ncols - 1) * m["between"]) / ncols
    fig.subplots_adjust(
        left=m["left"] / width,
        right=1 - m["right"] / width,
        top=1 - title / height,
        bottom=bottom / height,
        hspace=gap / axes_height,
        wspace=m["between"] / axes_width,
    )


def key_series(panel: pd.DataFrame, titles: dict[str, str], targets: dict[str, float], ncols: int = 3) -> plt.Figure:
    """Small multiples: the unit's series, the network median and the target line per KPI.

    ``panel`` has columns kpi_id, year, value, series ('unit' or 'network').
    """
    kpis = list(titles)
    nrows = max(1, int(np.ceil(len(kpis) / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(PAGE_WIDTH, 2.5 * nrows), squeeze=False)
    for ax, kpi in zip(axes.flat, kpis):
        part = panel.loc[panel["kpi_id"] == kpi]
        for series, colour, style in (("network", NETWORK_COLOUR, "--"), ("unit", UNIT_COLOUR, "-")):
            s = part.loc[part["series"] == series]
            ax.plot(
                s["year"],
                s["value"],
                style,
                color=colour,
                marker="o" if series == "unit" else None,
                markersize=3.5,
                linewidth=1.8,
            )
        target = targets.get(kpi)
        if target is not None and not pd.isna(target):
            ax.axhline(target, color=TARGET_COLOUR, linewidth=1.2, linestyle=":")
        ax.set_title(panel_title(titles[kpi], 30), fontsize=8.5, loc="left")
        ax.tick_params(labelsize=7.5)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, nbins=5))
        site_values(ax.yaxis)
    for ax in list(axes.flat)[len(kpis) :]:
        ax.set_visible(False)
    words = language.texts().FIGURES
    handles = [
        plt.Line2D([], [], color=UNIT_COLOUR, marker="o", label=words["the_unit"]),
        plt.Line2D([], [], color=NETWORK_COLOUR, linestyle="--", label=words["network_median"]),
        plt.Line2D([], [], color=TARGET_COLOUR, linestyle=":", label=words["target"]),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False, bbox_to_anchor=(0.5, 0.0))
    lines = max(panel_title(titles[k], 30).count("\n") + 1 for k in kpis) if kpis else 1
    grid_layout(fig, nrows, ncols, lines, legend=True)
    fig.fixed_layout = True  # figure_svg keeps its size: nothing to trim
    return fig


def heatmap(matrix: pd.DataFrame, xlabel: str, cbar_label: str) -> plt.Figure:
    """Units × KPIs: robust z-scores (positive = better), clipped to ±3 so outliers do not wash out colour.

    Drawn as seaborn's ``heatmap(center=0, vmin=-3, vmax=3)`` draws it (the same pixels), without the
    full draw seaborn makes to decide whether tick labels overlap (they are set here): half the time of
    the front page's heat maps."""
    height = 1.6 + 0.24 * matrix.shape[0]
    fig, ax = plt.subplots(figsize=(4.5 + 0.5 * matrix.shape[1], height))
    ax.set_facecolor(MISSING_COLOUR)  # a cell without a number is grey and hatched, never white (= the median)
    ax.patch.set_hatch("///")
    ax.patch.set_edgecolor("#ffffff")
    values = matrix.clip(-3, 3)
    base = matplotlib.colormaps[HEATMAP_COLOURS]
    colours = matplotlib.colors.ListedColormap(base(np.linspace(0, 1, 256))).with_extremes(  # centred on 0 of -3..3
        bad=base(np.ma.masked_invalid([np.nan]))[0]
    )
    mesh = ax.pcolormesh(
        np.ma.masked_invalid(values.to_numpy(dtype=float)),
        cmap=colours,
        vmin=-3,
        vmax=3,
        linewidths=0.4,
        edgecolor="white",
    )
    ax.set(xlim=(0, values.shape[1]), ylim=(0, values.shape[0]))
    ax.invert_yaxis()
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(mesh, ax=ax, label=cbar_label, shrink=min(1.0, 8 / matrix.shape[0]))
    bar.outline.set_linewidth(0)
    site_values(bar.ax.yaxis)
    ax.set_xticks(np.arange(values.shape[1]) + 0.5, [str(c) for c in values.columns])
    ax.set_yticks(np.arange(values.shape[0]) + 0.5, [str(i) for i in values.index], va="center")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    ax.tick_params(axis="y", labelsize=8.5)
    ax.tick_params(axis="x", labelsize=9, rotation=45)
    plt.setp(ax.get_xticklabels(), ha="right", rotation_mode="anchor")
    return fig


def spread_lines(spread: pd.DataFrame, titles: dict[str, str], ncols: int = 3) -> plt.Figure:
    """Median and interquartile range across members per year, one panel per KPI."""
    kpis = list(titles)
    nrows = max(1, int(np.ceil(len(kpis) / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(PAGE_WIDTH, 2.4 * nrows), squeeze=False)
    for ax, kpi in zip(axes.flat, kpis):
        s = spread.loc[spread["kpi_id"] == kpi].sort_values("year")
        ax.fill_between(s["year"], s["q1"], s["q3"], color=UNIT_COLOUR, alpha=0.2, linewidth=0)
        ax.plot(s["year"], s["median"], color=UNIT_COLOUR, linewidth=1.8)
        ax.set_title(panel_title(titles[kpi], 30), fontsize=8.5, loc="left")
        ax.tick_params(labelsize=7.5)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, nbins=5))
        site_values(ax.yaxis)
    for ax in list(axes.flat)[len(kpis) :]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


#: Above this many municipalities an indicator page shows the spread (median and percentile bands) instead
#: of one small panel per municipality: 357 panels of 357 lines each took over ten minutes to draw and
#: cannot be read; the page's table and map still show every municipality.
SMALL_MULTIPLES_MAX = 24
SPREAD_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def spread_quantiles(obs: pd.DataFrame) -> pd.DataFrame:
    """Per year (index) the municipalities' SPREAD_QUANTILES (columns): what :func:`spread_over_years` draws
    and the indicator page's download holds."""
    return obs.groupby("year")["value"].quantile(list(SPREAD_QUANTILES)).unstack().sort_index()


def spread_over_years(obs: pd.DataFrame, ylabel: str, target: float | None) -> plt.Figure:
    """The distribution of the municipalities' values per year: the median as a line, the middle half
    (25–75th percentile) and 80 % (10–90th) as bands, the target dotted. Drawing time does not
    depend on the number of municipalities."""
    q = spread_quantiles(obs)
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH, 3.4))
    years = q.index.to_numpy()
    words = language.texts().FIGURES
    ax.fill_between(years, q[0.1], q[0.9], color=UNIT_COLOUR, alpha=0.15, linewidth=0, label=words["p10_p90"])
    ax.fill_between(years, q[0.25], q[0.75], color=UNIT_COLOUR, alpha=0.35, linewidth=0, label=words["middle_half"])
    ax.plot(years, q[0.5], color="#1f2328", linewidth=1.8, marker="o", markersize=3, label=words["median"])
    if target is not None and not pd.isna(target):
        ax.axhline(target, color=TARGET_COLOUR, linestyle=":", linewidth=1.4, label=words["target"])
    ax.set_ylabel(panel_title(ylabel, 40), fontsize=8.5)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    site_values(ax.yaxis)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def all_units(
    obs: pd.DataFrame, ylabel: str, target: float | None, ncols: int = 4, median: pd.Series | None = None
) -> plt.Figure:
    """One small panel per municipality, in the order of ``obs`` names: its own series in blue, every
    other member in light grey behind it, the network median dashed and the target dotted. Twelve
    coloured lines in one chart cannot be told apart (nor by colour-blind readers); small multiples can."""
    names = list(dict.fromkeys(obs["name"]))
    nrows = max(1, int(np.ceil(len(names) / ncols)))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(PAGE_WIDTH, 1.75 * nrows + 0.6), sharex=True, sharey=True, squeeze=False
    )
    if median is None:  # the page passes the median it also puts in its download
        median = obs.groupby("year")["value"].median()
    for ax, name in zip(axes.flat, names):
        for other, part in obs.groupby("name"):
            if other != name:
                ax.plot(part["year"], part["value"], color="#c8c8c8", linewidth=0.8)
        ax.plot(median.index, median.to_numpy(), color="#1f2328", linewidth=1.2, linestyle="--")
        if target is not None and not pd.isna(target):
            ax.axhline(target, color=TARGET_COLOUR, linestyle=":", linewidth=1.2)
        own = obs.loc[obs["name"] == name].sort_values("year")
        ax.plot(own["year"], own["value"], color=UNIT_COLOUR, linewidth=1.8, marker="o", markersize=2.5)
        ax.set_title(panel_title(name, 24), fontsize=8.5, loc="left")
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, nbins=3))
        site_values(ax.yaxis)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    words = language.texts().FIGURES
    handles = [
        plt.Line2D([], [], color=UNIT_COLOUR, marker="o", label=words["the_town"]),
        plt.Line2D([], [], color="#c8c8c8", label=words["other_towns"]),
        plt.Line2D([], [], color="#1f2328", linestyle="--", label=words["median"]),
    ]
    if target is not None and not pd.isna(target):
        handles.append(plt.Line2D([], [], color=TARGET_COLOUR, linestyle=":", label=words["target"]))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=8)
    fig.supylabel(panel_title(ylabel, 50), fontsize=8.5)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig

"""The indicator figure scales: small multiples for a small network, the spread for a large one."""

import matplotlib.pyplot as plt
import pandas as pd

from analysis.pages import figures


def many_units(n: int) -> pd.DataFrame:
    years = [2020, 2021]
    rows = [
        {"name": f"Kommune {i:03d}", "year": y, "value": float(i + 10 * (y - 2020))}
        for i in range(1, n + 1)
        for y in years
    ]
    return pd.DataFrame(rows)


def test_spread_draws_the_median_and_percentile_bands_per_year():
    obs = many_units(101)  # values 1..101 in 2020, 11..111 in 2021
    fig = figures.spread_over_years(obs, "Verdi (enhet)", target=50.0)
    ax = fig.axes[0]
    median = next(line for line in ax.lines if line.get_label() == "Median")
    assert list(median.get_xdata()) == [2020, 2021]
    assert list(median.get_ydata()) == [51.0, 61.0]  # the middle of 1..101 and of 11..111
    bands = [c for c in ax.collections if c.get_label() in ("80 % av kommunene", "Midterste halvdel")]
    assert len(bands) == 2
    low, high = bands[0].get_paths()[0].vertices[:, 1].min(), bands[0].get_paths()[0].vertices[:, 1].max()
    assert (low, high) == (11.0, 101.0)  # 10th percentile of 2020, 90th of 2021
    assert any(line.get_label() == "Mål" and line.get_ydata()[0] == 50.0 for line in ax.lines)
    plt.close(fig)


def test_spread_has_one_panel_and_as_many_artists_for_20_or_400_units():
    def artists(n):
        fig = figures.spread_over_years(many_units(n), "Verdi", target=None)
        count = (len(fig.axes), len(fig.axes[0].lines), len(fig.axes[0].collections))
        plt.close(fig)
        return count

    assert artists(30) == artists(400) == (1, 1, 2)


def test_small_multiples_have_a_panel_per_unit():
    obs = many_units(6)
    fig = figures.all_units(obs, "Verdi", target=None)
    visible = [ax for ax in fig.axes if ax.get_visible() and ax.get_title(loc="left")]
    assert sorted(ax.get_title(loc="left") for ax in visible) == [f"Kommune {i:03d}" for i in range(1, 7)]
    assert len(visible[0].lines) == 7  # the five others, the median and its own series
    plt.close(fig)

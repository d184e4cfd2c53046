"""The navigation: a sidebar that does not grow with the network, the lists on their own pages, and
breadcrumbs written by the build (known answers on small hand-made tables)."""

import re
from html.parser import HTMLParser

import pandas as pd
import yaml

from analysis.site import navigation
from analysis.site.finish import finish_page
from analysis.site.render import prepare_project
from analysis.site.sandbox import ROOT


def _units(rows):
    frame = pd.DataFrame(rows, columns=["unit_code", "name", "type", "county_code", "county_name", "slug"])
    return frame.fillna("")


SMALL = _units(
    [
        ("5001", "Trondheim", "kommune", "50", "Trøndelag", "trondheim"),
        ("1508", "Ålesund", "kommune", "15", "Møre og Romsdal", "alesund"),
        ("1505", "Kristiansund", "kommune", "15", "Møre og Romsdal", "kristiansund"),
        ("15", "Møre og Romsdal", "fylke", "", "", "more-og-romsdal"),
        ("30", "Viken", "fylke", "", "", "viken"),
    ]
)
INDICATORS = pd.DataFrame(
    {
        "kpi_id": ["EC:ICT:ICT:1C", "EN:EN:AQ:2C", "EN:EN:AQ:1C"],
        "slug": ["ec-ict-ict-1c", "en-en-aq-2c", "en-en-aq-1c"],
        "name_nb": ["Husholdninger med internettilgang", "Klimagassutslipp", "Luftkvalitet"],
        "dimension_nb": ["Økonomi", "Miljø", "Miljø"],
    }
)


def _national(n_towns: int, n_counties: int) -> pd.DataFrame:
    rows = [
        (f"{9000 + i}", f"Kommune {i}", "kommune", f"{i % n_counties + 10}", f"Fylke {i % n_counties}", f"k{i}")
        for i in range(n_towns)
    ]
    rows += [(f"{c + 10}", f"Fylke {c}", "fylke", "", "", f"f{c}") for c in range(n_counties)]
    return _units(rows)


class _Tree(HTMLParser):
    """The sections, headings and list entries of a generated page, as a reader's browser sees them."""

    def __init__(self):
        super().__init__()
        self.groups: list[tuple[str, str, list[tuple[str, str]]]] = []
        self._in = None
        self._href = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h2":
            self.groups.append((attrs.get("id", ""), "", []))
            self._in = "h2"
        elif tag == "a" and self.groups:
            self._href, self._in = attrs["href"], "a"

    def handle_endtag(self, tag):
        if tag in ("h2", "a"):
            self._in = None

    def handle_data(self, data):
        if self._in == "h2":
            anchor, text, items = self.groups[-1]
            self.groups[-1] = (anchor, text + data, items)
        elif self._in == "a":
            self.groups[-1][2].append((data, self._href))


def _tree(page: str) -> _Tree:
    parser = _Tree()
    parser.feed(page.split("```{=html}", 1)[1])
    return parser


def _staged(tmp_path, units, indicators) -> tuple[dict, str]:
    """The project as the build stages it: its _quarto.yml and its members page."""
    prepare_project(ROOT / "reports", tmp_path, units, indicators, is_demo=True)
    config = yaml.safe_load((tmp_path / "_quarto.yml").read_text(encoding="utf-8"))
    return config, (tmp_path / "medlemmer.qmd").read_text(encoding="utf-8")


def test_the_sidebar_is_the_same_few_pages_for_3_and_for_372_members(tmp_path):
    small, small_members = _staged(tmp_path / "small", SMALL, INDICATORS)
    national, national_members = _staged(tmp_path / "national", _national(357, 15), INDICATORS)
    assert small["website"]["sidebar"] == national["website"]["sidebar"]
    contents = small["website"]["sidebar"]["contents"]
    assert [e["text"] for e in contents] == [
        "Nettverket",
        "Medlemmer",
        "Indikatorer",
        "Metode",
        "Om dataene",
        "Last ned data",
    ]
    assert [e["href"] for e in contents] == [
        "index.ipynb",
        "medlemmer.qmd",
        "indikatorer.qmd",
        "metode.qmd",
        "om-dataene.qmd",
        "data.qmd",
    ]
    assert small["website"]["page-navigation"] is False
    assert {"medlemmer.qmd", "indikatorer.qmd"} <= set(small["project"]["render"])
    # what grows with the network is the one members page
    assert small_members.count("<li>") == 5 and national_members.count("<li>") == 372
    assert (tmp_path / "small" / "_breadcrumbs.json").is_file()
    without, _ = _staged(tmp_path / "none", SMALL, INDICATORS.iloc[:0])  # indicator_pages: none
    assert [e["text"] for e in without["website"]["sidebar"]["contents"]] == [
        "Nettverket",
        "Medlemmer",
        "Metode",
        "Om dataene",
        "Last ned data",
    ]
    assert (
        "indikatorer.qmd" not in without["project"]["render"] and not (tmp_path / "none" / "indikatorer.qmd").exists()
    )


def test_the_members_page_lists_every_member_once_under_its_county():
    groups = _tree(navigation.members_page(SMALL)).groups
    assert groups == [
        (
            "fylke-15",
            "Møre og Romsdal",
            [
                ("Møre og Romsdal fylkeskommune", "fylker/more-og-romsdal.html"),
                ("Kristiansund", "kommuner/kristiansund.html"),
                ("Ålesund", "kommuner/alesund.html"),  # Norwegian order: Å after K
            ],
        ),
        ("fylke-50", "Trøndelag", [("Trondheim", "kommuner/trondheim.html")]),
        ("fylke-30", "Viken", [("Viken fylkeskommune", "fylker/viken.html")]),  # no member municipality
    ]
    national = _tree(navigation.members_page(_national(357, 15))).groups
    assert len(national) == 15
    links = [href for _, _, items in national for _, href in items]
    assert len(links) == len(set(links)) == 372
    for anchor, county, items in national:  # Kommune i sits in Fylke i % 15
        number = int(county.split()[1])
        assert anchor == f"fylke-{number + 10}"
        towns = [int(t.split()[1]) for t, href in items if href.startswith("kommuner/")]
        assert towns and all(t % 15 == number for t in towns)


def test_the_filter_is_labelled_counts_politely_and_is_hidden_without_javascript():
    page = navigation.members_page(SMALL)
    html = page.split("```{=html}\n", 1)[1]
    box = re.search(r"<div class=\"nav-filter\"[^>]*>", html).group(0)
    assert " hidden" in box and 'data-nav-filter="medlemsliste"' in box
    assert 'data-count="{n} av {total} medlemmer vises"' in box.replace("&#123;", "{").replace("&#125;", "}")
    field = re.search(r'<input type="search"[^>]*id="([^"]+)"', html).group(1)
    assert f'<label class="form-label" for="{field}">' in html
    assert '<p class="nav-filter-count" aria-live="polite"></p>' in html
    assert "<script>" in html and "http" not in html.split("<script>")[1]  # nothing fetched
    assert page.count("```") == 2  # the raw block opens and closes once
    assert "Alle 5 medlemmene" in page


def test_hostile_names_are_text_everywhere():
    hostile = _units(
        [
            ("5001", 'Trond<script>alert(1)</script>"heim', "kommune", "50", "Trøn & delag 'x'", "trondheim"),
            ("1508", "Å```\n</ul>{{< include x >}}", "kommune", "50", "Trøn & delag 'x'", "alesund"),
        ]
    )
    page = navigation.members_page(hostile)
    assert "<script>alert" not in page and "</ul>{{" not in page and "{{< include x" not in page
    assert page.count("```") == 2  # a backtick in a name cannot close the raw block
    groups = _tree(page).groups
    assert groups[0][1] == "Trøn & delag 'x'"  # shown as written once the browser reads the references
    assert [t for t, _ in groups[0][2]] == ['Trond<script>alert(1)</script>"heim', "Å``` </ul>{{< include x >}}"]
    indicators = INDICATORS.assign(name_nb=["<img src=x onerror=alert(2)>", "a & b", "c"])
    assert "<img" not in navigation.indicators_page(indicators)
    trail = navigation.breadcrumbs(hostile, INDICATORS)["kommuner/trondheim.html"]
    crumbs = navigation.breadcrumbs_html(trail, "kommuner/trondheim.html")
    assert "<script>" not in crumbs and "&amp;amp;" not in crumbs  # escaped once: written past the renderers
    assert "Trøn &amp; delag &#x27;x&#x27;" in crumbs and "\u2060" not in crumbs


def test_breadcrumbs_of_a_municipality_a_county_and_an_indicator():
    trails = navigation.breadcrumbs(SMALL, INDICATORS)
    assert trails["kommuner/alesund.html"] == [
        ("Nettverket", "index.html"),
        ("Medlemmer", "medlemmer.html"),
        ("Møre og Romsdal", "medlemmer.html#fylke-15"),
        ("Ålesund kommune", None),
    ]
    assert trails["fylker/more-og-romsdal.html"] == [
        ("Nettverket", "index.html"),
        ("Medlemmer", "medlemmer.html"),
        ("Møre og Romsdal", None),
    ]
    assert trails["indikatorer/en-en-aq-1c.html"] == [
        ("Nettverket", "index.html"),
        ("Indikatorer", "indikatorer.html"),
        ("Miljø", "indikatorer.html#dimensjon-2"),
        ("Luftkvalitet", None),
    ]
    assert trails["metode.html"] == [("Nettverket", "index.html"), ("Metode", None)]
    assert "index.html" not in trails
    assert "indikatorer.html" not in navigation.breadcrumbs(SMALL, INDICATORS.iloc[:0])
    html = navigation.breadcrumbs_html(trails["kommuner/alesund.html"], "kommuner/alesund.html")
    assert html == (
        '<nav class="quarto-page-breadcrumbs site-breadcrumbs" aria-label="Brødsmulesti">'
        '<ol class="breadcrumb site-crumbs">'
        '<li class="breadcrumb-item"><a href="../index.html">Nettverket</a></li>'
        '<li class="breadcrumb-item"><a href="../medlemmer.html">Medlemmer</a></li>'
        '<li class="breadcrumb-item"><a href="../medlemmer.html#fylke-15">Møre og Romsdal</a></li>'
        '<li class="breadcrumb-item active" aria-current="page">Ålesund kommune</li></ol></nav>'
    )
    indicators_page = _tree(navigation.indicators_page(INDICATORS)).groups
    assert [(a, d) for a, d, _ in indicators_page] == [("dimensjon-1", "Økonomi"), ("dimensjon-2", "Miljø")]
    assert indicators_page[1][2][1] == ("Luftkvalitet", "indikatorer/en-en-aq-1c.html")


def test_the_trail_replaces_the_renderers_breadcrumbs_and_survives_the_last_pass():
    page = (
        '<nav class="quarto-secondary-nav"><div><nav class="quarto-page-breadcrumbs" aria-label="breadcrumb">'
        '<ol class="breadcrumb"><li class="breadcrumb-item"><a href="x.html">X</a></li></ol></nav></div></nav>'
        '<header><div class="quarto-title"><h1 class="title">Ålesund kommune</h1></div></header>'
    )
    trail = navigation.breadcrumbs(SMALL, INDICATORS)["kommuner/alesund.html"]
    done = navigation.place_breadcrumbs(finish_page(page), trail, "kommuner/alesund.html")
    assert done.count("<nav") == 2 and '"x.html"' not in done  # the secondary bar stays, its old trail goes
    assert done.index("site-breadcrumbs") < done.index('<div class="quarto-title">')
    assert finish_page(done) == done  # the pass that strips links from sidebar groups leaves the trail alone
    assert navigation.place_breadcrumbs("<p>no title</p>", trail, "kommuner/alesund.html") == "<p>no title</p>"

"""Maps of the members from Kartverket's 2024 borders (``../shared/data/geo/``), drawn with Matplotlib.

Why it is done this way:

- **No GIS stack.** The borders are GeoJSON in WGS 84 longitude/latitude; the standard library's ``json``
  reads them and a few lines of numpy project and simplify them. geopandas/shapely would add large
  compiled dependencies for what is two files and one projection.
- **Lambert azimuthal equal-area, centred on Norway (15° E, 65° N).** A choropleth compares areas of
  colour, so the areas must be true; plain longitude/latitude would squash Norway to half its width at
  65° N. Distances within Norway are off by well under 2 % (a test checks Lindesnes–Nordkapp).
- **Simplified to what a screen shows.** Each ring is thinned (Douglas–Peucker) to half a pixel at the
  size the figure is drawn and islands smaller than a pixel are dropped (a feature keeps its largest
  ring always), so a map of 357 municipalities stays a small SVG and draws in about a second.
- **Non-members are not drawn one by one**: the land is the 15 county polygons in light grey; only the
  members are drawn on top. A map of 15 members is then small too; with every municipality a member,
  all 357 are drawn.
- **Parsed once per process.** The geometry is kept in a module dictionary keyed by the files' paths,
  sizes and modification times — not an ``lru_cache``, which a warm kernel clears before every page
  (:mod:`analysis.site.kernel_state`): borders do not change between pages, and a changed file is read
  again because its key changes.
- **A member without a polygon is an error**, naming every such code at once: a map that silently leaves
  a member out would say it is not a member. Units that ended before the borders' year (Viken,
  2020–2023) are not on a 2024 map; the caller names them under the map.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from analysis.core import config
from analysis.core.errors import InputError
from analysis.core.inputs import read_bytes
from analysis.pages import (
    figures,  # noqa: F401  (the site's figure theme: fonts, no $…$ maths)
    language,
)
from analysis.pages.present import fmt_number

GEO_DIR_NAME = "geo"
MUNICIPALITIES_FILE = "kommuner_2024_S.geojson"
COUNTIES_FILE = "fylker_2024_S.geojson"
BORDERS_YEAR = 2024
GEO_LIMIT = 32 * 1024 * 1024  # the two files are 1.3 MB and 0.6 MB

EARTH_RADIUS_KM = 6371.0
CENTRE = (15.0, 65.0)  # lon, lat of the projection's centre

#: Figure size in inches (the page's text column is about 7.6 in wide, see figures.PAGE_WIDTH).
MAP_WIDTH = 7.6
MAP_HEIGHT = 8.4
#: Thinning tolerance and smallest island, in km: about half a pixel and one pixel at 96 dpi at this size
#: (Norway is about 1 700 km tall in MAP_HEIGHT inches).
TOLERANCE_KM = 1.2
MIN_RING_KM2 = 4.0
#: A member municipality smaller than this (km²) also gets a dot at its centre, so that it can be seen.
DOT_BELOW_KM2 = 250.0

LAND_COLOUR = "#e4e4e4"  # non-members
NO_VALUE_COLOUR = "#a8a8a8"  # members without a value: darker grey, hatched
EDGE_COLOUR = "#1f2328"
COUNTY_EDGE = "#707070"
COLOURMAP = "viridis"  # colour-blind safe, and its lightness alone orders the classes


def geo_dir() -> Path:
    return config.SHARED_DATA_DIR / GEO_DIR_NAME


# --- projection and geometry ------------------------------------------------------------------------


def project(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (degrees) to Lambert azimuthal equal-area x/y in km around :data:`CENTRE`."""
    lam, phi = np.radians(np.asarray(lon, dtype=float)), np.radians(np.asarray(lat, dtype=float))
    lam0, phi0 = math.radians(CENTRE[0]), math.radians(CENTRE[1])
    cos_c = math.sin(phi0) * np.sin(phi) + math.cos(phi0) * np.cos(phi) * np.cos(lam - lam0)
    k = np.sqrt(2.0 / (1.0 + cos_c))
    x = EARTH_RADIUS_KM * k * np.cos(phi) * np.sin(lam - lam0)
    y = EARTH_RADIUS_KM * k * (math.cos(phi0) * np.sin(phi) - math.sin(phi0) * np.cos(phi) * np.cos(lam - lam0))
    return x, y


def signed_area(ring: np.ndarray) -> float:
    """Shoelace area: positive for a counter-clockwise ring (closed or not)."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(x[:-1] @ y[1:] - x[1:] @ y[:-1] + x[-1] * y[0] - x[0] * y[-1])


def _dp_keep(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas–Peucker on an open polyline: which points to keep (the two ends always)."""
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        a, b = points[first], points[last]
        inner = points[first + 1 : last]
        d = b - a
        length = math.hypot(d[0], d[1])
        if length == 0:
            dist = np.hypot(inner[:, 0] - a[0], inner[:, 1] - a[1])
        else:
            dist = np.abs(d[0] * (inner[:, 1] - a[1]) - d[1] * (inner[:, 0] - a[0])) / length
        i = int(np.argmax(dist))
        if dist[i] > tolerance:
            mid = first + 1 + i
            keep[mid] = True
            stack += [(first, mid), (mid, last)]
    return keep


def simplify_ring(ring: np.ndarray, tolerance: float) -> np.ndarray:
    """A closed ring thinned to ``tolerance``, split at the point farthest from its start so that the
    two halves are open polylines; never fewer than 4 points (a triangle, closed)."""
    if len(ring) > 1 and np.array_equal(ring[0], ring[-1]):
        ring = ring[:-1]
    if len(ring) <= 4:
        return ring
    far = int(np.argmax(np.hypot(ring[:, 0] - ring[0, 0], ring[:, 1] - ring[0, 1])))
    first = ring[: far + 1]
    second = np.vstack([ring[far:], ring[:1]])
    kept = np.vstack([first[_dp_keep(first, tolerance)], second[_dp_keep(second, tolerance)][1:-1]])
    return kept if len(kept) >= 3 else ring


@dataclass(frozen=True)
class Shape:
    """One municipality or county: its rings (projected km, simplified; exteriors counter-clockwise,
    holes clockwise, so that Matplotlib's non-zero fill leaves the holes open), area and centroid."""

    code: str
    name: str
    rings: tuple[np.ndarray, ...]
    area: float
    centroid: tuple[float, float]

    def path(self) -> MplPath:
        vertices, codes = [], []
        for ring in self.rings:
            vertices += [*ring, ring[0]]
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 1) + [MplPath.CLOSEPOLY]
        return MplPath(np.asarray(vertices), codes)


def _shape(code: str, name: str, geometry: dict, tolerance: float, min_area: float) -> Shape:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    rings: list[tuple[np.ndarray, bool]] = []  # (ring, is_exterior)
    for polygon in polygons:
        for i, coords in enumerate(polygon):
            lonlat = np.asarray(coords, dtype=float)[:, :2]
            x, y = project(lonlat[:, 0], lonlat[:, 1])
            rings.append((np.column_stack([x, y]), i == 0))
    # the true area and centroid, from the unsimplified rings (holes subtract)
    area = cx = cy = 0.0
    for ring, exterior in rings:
        closed = np.vstack([ring, ring[:1]])
        x, y = closed[:, 0], closed[:, 1]
        cross = x[:-1] * y[1:] - x[1:] * y[:-1]
        s = 0.5 * cross.sum()
        if s:
            sign = 1 if (s > 0) == exterior else -1  # orientation-independent
            cx += sign * ((x[:-1] + x[1:]) * cross).sum() / 6
            cy += sign * ((y[:-1] + y[1:]) * cross).sum() / 6
        area += abs(s) * (1 if exterior else -1)
    centroid = (cx / area, cy / area) if area else tuple(rings[0][0].mean(axis=0))
    sizes = [abs(signed_area(ring)) for ring, _ in rings]
    largest = max(range(len(rings)), key=lambda i: sizes[i] if rings[i][1] else -1)
    kept = []
    for i, (ring, exterior) in enumerate(rings):
        if i != largest and sizes[i] < min_area:
            continue  # an island (or lake) smaller than a pixel
        thin = simplify_ring(ring, tolerance)
        if (signed_area(thin) > 0) != exterior:
            thin = thin[::-1]
        kept.append(thin)
    return Shape(code, name, tuple(kept), area, (float(centroid[0]), float(centroid[1])))


@dataclass(frozen=True)
class Borders:
    municipalities: dict[str, Shape]
    counties: dict[str, Shape]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        points = np.vstack([r for s in self.counties.values() for r in s.rings])
        return (*points.min(axis=0), *points.max(axis=0))


def _read(path: Path, code_key: str, name_key: str, tolerance: float, min_area: float) -> dict[str, Shape]:
    raw = read_bytes(path, GEO_LIMIT, "a GeoJSON file of borders")
    try:
        collection = json.loads(raw)
        features = collection["features"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(path, f"not a GeoJSON FeatureCollection ({exc})") from None
    shapes, problems = {}, []
    for i, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        code, geometry = props.get(code_key), feature.get("geometry") or {}
        if not code or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            problems.append(f"feature {i}: no '{code_key}' or no (Multi)Polygon geometry")
            continue
        shapes[str(code)] = _shape(str(code), str(props.get(name_key, "")), geometry, tolerance, min_area)
    if problems:
        raise InputError(path, "; ".join(problems), field=code_key)
    return shapes


_CACHE: dict[tuple, Borders] = {}


def borders(folder: Path | None = None, tolerance: float = TOLERANCE_KM, min_area: float = MIN_RING_KM2) -> Borders:
    """The 2024 municipalities and counties, projected and simplified; read once per process."""
    folder = Path(folder or geo_dir())
    files = (folder / MUNICIPALITIES_FILE, folder / COUNTIES_FILE)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise InputError(
            folder, f"the borders for the maps are missing: {', '.join(missing)} (see ../shared/data/PROVENANCE.md)"
        )
    key = (tolerance, min_area, *((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = Borders(
            _read(files[0], "kommunenummer", "kommunenavn", tolerance, min_area),
            _read(files[1], "fylkesnummer", "fylkesnavn", tolerance, min_area),
        )
    return _CACHE[key]


def border_files(folder: Path | None = None) -> list[Path]:
    """The files a map reads (for the pages' fingerprint: new borders must draw the maps again)."""
    folder = Path(folder or geo_dir())
    return [folder / MUNICIPALITIES_FILE, folder / COUNTIES_FILE]


def member_shapes(geo: Borders, members: list[tuple[str, str]]) -> dict[str, Shape]:
    """The shape of each ``(code, type)`` member: a municipality's own, a county member's county polygon.
    Every code without one is named in one error."""
    found, missing = {}, []
    for code, kind in members:
        table = geo.counties if kind == "fylke" else geo.municipalities
        if code in table:
            found[code] = table[code]
        else:
            missing.append(code)
    if missing:
        raise InputError(
            config.NETWORK_YAML,
            f"no geometry in the {BORDERS_YEAR} borders for member code(s) {', '.join(missing)} "
            f"({MUNICIPALITIES_FILE} / {COUNTIES_FILE}): a map cannot show them",
            field="code",
        )
    return found


# --- classes and colours ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Classes:
    """Value classes of a map: ``edges`` ascending (class i holds edges[i] <= v < edges[i+1], the last one
    also its upper edge), one colour and one legend label per class. ``better`` is 'high', 'low' or ''
    (no direction: darker is higher)."""

    edges: tuple[float, ...]
    colours: tuple[str, ...]
    labels: tuple[str, ...]
    better: str = "high"

    def index(self, value: float) -> int | None:
        if value is None or not np.isfinite(value) or not self.colours:
            return None
        i = int(np.searchsorted(np.asarray(self.edges[1:-1]), value, side="right"))
        return min(i, len(self.colours) - 1)


def class_colours(n: int, darker_is: str = "high") -> tuple[str, ...]:
    """``n`` colours from viridis, light (yellow) to dark (purple) in the order of rising value when
    ``darker_is`` 'high', the other way round when 'low': darker is always better."""
    from matplotlib.colors import to_hex

    cmap = plt.get_cmap(COLOURMAP)
    positions = np.linspace(1, 0, n) if n > 1 else np.array([0.5])
    colours = tuple(to_hex(cmap(p)) for p in positions)
    return colours[::-1] if darker_is == "low" else colours


def nice_step(span: float) -> float:
    """The rounding of the class edges: two significant digits of the values' span."""
    return 10.0 ** (math.floor(math.log10(span)) - 1) if span > 0 else 1.0


def value_classes(values, better: str = "high", k: int = 5) -> Classes:
    """Up to ``k`` classes with about as many members each (quantiles), their inner edges rounded to two
    significant digits of the span (so the legend reads '4,6–6,4', not '4,5999'), the outer edges rounded
    outwards to the same step. ``better``: 'high', 'low' or '' (no direction)."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if not len(v):
        return Classes((), (), (), better)
    lo, hi = float(v.min()), float(v.max())
    step = nice_step(hi - lo)
    decimals = max(0, -int(math.floor(math.log10(step)))) if hi > lo else None
    inner = [round(q / step) * step for q in np.quantile(v, [i / k for i in range(1, k)])]
    inner = sorted({round(e, 12) for e in inner if lo < e < hi})
    if hi > lo:  # the outer edges rounded outwards, so that every label holds the values it colours
        lo, hi = round(math.floor(round(lo / step, 9)) * step, 12), round(math.ceil(round(hi / step, 9)) * step, 12)
    edges = (lo, *inner, hi)
    if len(edges) == 1 or hi == lo:
        edges = (lo, hi)
    labels = tuple(
        fmt_number(a, decimals) if a == b else f"{fmt_number(a, decimals)}–{fmt_number(b, decimals)}"
        for a, b in zip(edges[:-1], edges[1:])
    )
    return Classes(edges, class_colours(len(labels), "low" if better == "low" else "high"), labels, better)


def fixed_classes(edges: tuple[float, ...], labels: tuple[str, ...], better: str = "high") -> Classes:
    return Classes(tuple(edges), class_colours(len(labels), "low" if better == "low" else "high"), labels, better)


# --- drawing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapUnit:
    code: str
    kind: str  # 'kommune' or 'fylke'
    value: float  # NaN: a member without a value


def choropleth(units: list[MapUnit], classes: Classes, legend_title: str, geo: Borders | None = None) -> plt.Figure:
    """Norway with the counties in light grey and outlined, the members coloured by class (county members
    with their county polygon, under the municipalities), members without a value hatched grey, small
    member municipalities marked with a dot as well; the legend names every colour, and the credit."""
    geo = geo or borders()
    shapes = member_shapes(geo, [(u.code, u.kind) for u in units])
    fig, ax = plt.subplots(figsize=(MAP_WIDTH, MAP_HEIGHT))
    ax.set_aspect("equal")
    ax.axis("off")
    counties = list(geo.counties.values())
    # the land: every county in light grey with its border; a county member is drawn over its own county
    # with its own (darker) border, so the county borders are drawn once
    ax.add_collection(
        PatchCollection(
            [PathPatch(s.path()) for s in counties],
            facecolor=LAND_COLOUR,
            edgecolor=COUNTY_EDGE,
            linewidth=0.6,
            zorder=1,
        )
    )

    def colour(u: MapUnit) -> str | None:
        i = classes.index(u.value)
        return None if i is None else classes.colours[i]

    for z, kind in ((2, "fylke"), (3, "kommune")):  # the municipalities over the county members
        part = [u for u in units if (u.kind == "fylke") == (kind == "fylke")]
        for group, hatch in (([u for u in part if colour(u)], None), ([u for u in part if not colour(u)], "////")):
            if group:
                ax.add_collection(
                    PatchCollection(
                        [PathPatch(shapes[u.code].path()) for u in group],
                        facecolor=[colour(u) or NO_VALUE_COLOUR for u in group],
                        edgecolor=EDGE_COLOUR,
                        hatch=hatch,
                        linewidth=0.5,
                        zorder=z,
                    )
                )
    small = [u for u in units if u.kind != "fylke" and shapes[u.code].area < DOT_BELOW_KM2]
    if small:
        xy = np.array([shapes[u.code].centroid for u in small])
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=22,
            c=[colour(u) or NO_VALUE_COLOUR for u in small],
            edgecolors=EDGE_COLOUR,
            linewidths=0.7,
            zorder=6,
        )
    xmin, ymin, xmax, ymax = geo.bounds
    pad = 0.01 * (ymax - ymin)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    handles = [
        Patch(facecolor=c, edgecolor=EDGE_COLOUR, linewidth=0.5, label=lab)
        for c, lab in zip(classes.colours, classes.labels)
    ]
    words = language.texts().MAPS
    if any(not colour(u) for u in units):
        handles.append(
            Patch(
                facecolor=NO_VALUE_COLOUR, edgecolor=EDGE_COLOUR, hatch="////", linewidth=0.5, label=words["no_value"]
            )
        )
    handles.append(Patch(facecolor=LAND_COLOUR, edgecolor=COUNTY_EDGE, linewidth=0.6, label=words["non_member"]))
    legend = ax.legend(
        handles=handles,
        title=legend_title,
        loc="lower right",
        bbox_to_anchor=(1.0, 0.02),
        frameon=False,
        fontsize=9,
        title_fontsize=9,
        alignment="left",
    )
    legend.get_title().set_parse_math(False)  # the title is a KPI's name and unit: data
    for label in legend.get_texts():
        label.set_parse_math(False)
    ax.text(
        0.0,
        0.0,
        words["credit"],
        transform=ax.transAxes,
        fontsize=7.5,
        color="#4d4d4d",
        va="bottom",
        ha="left",
        parse_math=False,
    )
    fig.tight_layout(pad=0.3)
    return fig

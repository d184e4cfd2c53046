"""Report settings from ``params/report.yaml``, typed and checked before anything runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from analysis.core import config
from analysis.core.errors import InputError
from analysis.core.inputs import line_of, read_yaml

#: Bounds of settings that are well-typed but impossible: a worker is a Jupyter kernel (some 200 MB and a core's
#: share), and no value the project reads is from before 1950 (the plausibility rules' first year).
MAX_WORKERS = 64
FIRST_YEAR_MIN = 1950


@dataclass(frozen=True)
class ReportSettings:
    report_year: int
    base_year: int
    default_target_year: int
    first_year: int
    data: str
    targets: Path
    workers: int
    indicator_pages: str = "all"
    languages: tuple[str, ...] = ("nb",)  # the first is the site's main language, at its root; others under /<code>/


#: The site's main language: the Norwegian site is the one at the root, whatever else is built.
MAIN_LANGUAGE = "nb"


def check_languages(value, path: Path) -> tuple[str, ...]:
    """``languages``: a list of distinct codes, ``nb`` first, each with its text module
    (``analysis/pages/text_<code>.py``, looked for as a file: the settings are read before any page code)."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise InputError(path, f"must be a list of language codes such as [nb, en], got {value!r}", field="languages")
    if value[0] != MAIN_LANGUAGE:
        raise InputError(
            path,
            f"the first language is the site's main one, at its root, and must be {MAIN_LANGUAGE!r}, got {value[0]!r}",
            field="languages",
        )
    for code in value:
        if not (config.PACKAGE_DIR / "pages" / f"text_{code}.py").is_file():
            raise InputError(
                path,
                f"{code!r} has no texts (analysis/pages/text_{code}.py); known: "
                f"{', '.join(sorted(p.stem[5:] for p in (config.PACKAGE_DIR / 'pages').glob('text_*.py')))}",
                field="languages",
            )
    if len(set(value)) != len(value):
        raise InputError(path, f"a language is listed twice: {value!r}", field="languages")
    return tuple(value)


def load_report_settings(path: Path | None = None) -> ReportSettings:
    path = Path(path or config.REPORT_YAML)
    data = read_yaml(path)

    def refuse(key: str, reason: str) -> InputError:
        return InputError(path, reason, row=line_of(data, key), field=key)

    types = {
        "report_year": int,
        "base_year": int,
        "default_target_year": int,
        "first_year": int,
        "data": str,
        "targets": str,
        "workers": int,
        "indicator_pages": str,
        "languages": list,
    }
    optional = {"indicator_pages", "languages"}
    unknown = sorted(set(data) - set(types), key=str)
    if unknown:
        raise refuse(unknown[0], f"unknown setting {unknown[0]!r}; known: {', '.join(types)}")
    for key, typ in types.items():
        if key not in data:
            if key in optional:
                continue
            raise refuse(key, "setting is missing")
        if not isinstance(data[key], typ) or isinstance(data[key], bool):
            raise refuse(key, f"must be {typ.__name__}, got {data[key]!r}")
    if data["data"] not in ("demo", "ingested"):
        raise refuse("data", f"must be 'demo' or 'ingested', got {data['data']!r}")
    if not data["first_year"] <= data["base_year"] <= data["report_year"] <= data["default_target_year"]:
        raise refuse("report_year", "years must satisfy first_year ≤ base_year ≤ report_year ≤ default_target_year")
    if data["report_year"] > date.today().year:
        raise refuse(
            "report_year",
            f"{data['report_year']} has not come yet: a report shows the values of a year that has begun",
        )
    if data.get("indicator_pages", "all") not in ("all", "key", "none"):
        raise refuse("indicator_pages", f"must be 'all', 'key' or 'none', got {data['indicator_pages']!r}")
    if not 1 <= data["workers"] <= MAX_WORKERS:
        raise refuse("workers", f"{data['workers']} workers: must be 1 to {MAX_WORKERS} (about one per core)")
    if data["first_year"] < FIRST_YEAR_MIN:
        raise refuse("first_year", f"{data['first_year']}: no value the project reads is from before {FIRST_YEAR_MIN}")
    if "languages" in data:
        data["languages"] = check_languages(data["languages"], path)
    return ReportSettings(**{**data, "targets": config.ROOT / data["targets"]})


@dataclass(frozen=True)
class MethodSettings:
    """The method and policy choices of the statistics (``params/methods.yaml``), shown on the methods page.

    The defaults are the published methods' own; a network that changes one says so on its site.
    """

    alpha: float = 0.05  # significance level of every test (two-sided)
    min_points: int = 4  # years with values a trend test needs (with 4 the smallest Mann-Kendall p is 0.089)
    coverage_share: float = 0.5  # a comparison year has values for at least this share of the best year's units
    slope_model: str = "unit_fe"  # "unit_fe": each unit its own level; "pooled": the literal value ~ year * in_unit
    slope_group: str = "network"  # the group a unit's slope is compared with: "network" members or "all" units
    small_population: int = 5000  # below this many inhabitants, rates per inhabitant are flagged as uncertain


METHOD_CHOICES = {"slope_model": ("unit_fe", "pooled"), "slope_group": ("network", "all")}


def load_method_settings(path: Path | None = None) -> MethodSettings:
    """Typed and range-checked; a missing file means the defaults."""
    path = Path(path or config.METHODS_YAML)
    if not path.exists():
        return MethodSettings()
    data = read_yaml(path)

    def refuse(key: str, reason: str) -> InputError:
        return InputError(path, reason, row=line_of(data, key), field=key)

    fields = MethodSettings.__dataclass_fields__
    unknown = sorted(set(data) - set(fields), key=str)
    if unknown:
        raise refuse(unknown[0], f"unknown setting {unknown[0]!r}; known: {', '.join(fields)}")
    for key, value in data.items():
        typ = type(getattr(MethodSettings, key))
        ok = isinstance(value, typ) or (typ is float and isinstance(value, int))
        if not ok or isinstance(value, bool):
            raise refuse(key, f"must be {typ.__name__}, got {value!r}")
        if key in METHOD_CHOICES and value not in METHOD_CHOICES[key]:
            raise refuse(key, f"must be one of {', '.join(METHOD_CHOICES[key])}, got {value!r}")
    checks = {
        "alpha": lambda v: 0 < v < 1,
        "min_points": lambda v: v >= 3,
        "coverage_share": lambda v: 0 < v <= 1,
        "small_population": lambda v: v >= 0,
    }
    for key, ok in checks.items():
        if key in data and not ok(data[key]):
            raise refuse(key, f"{data[key]!r} is out of range")
    return MethodSettings(
        **{k: (float(v) if isinstance(getattr(MethodSettings, k), float) else v) for k, v in data.items()}
    )

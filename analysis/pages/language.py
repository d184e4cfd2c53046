"""The language a page is written in, and the one place that picks its texts.

Every sentence, label and number format a reader sees comes from one text module per language
(:mod:`analysis.pages.text_nb` for bokmål, :mod:`analysis.pages.text_en` for English), which define
the same names. A notebook calls :func:`use` with its ``lang`` parameter in its first cell; the page
code then asks :func:`texts` for the current language's module at call time, so one executed
notebook is in one language throughout. The default is bokmål, the site's main language.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

#: The site's languages, the first one the main language (served at the site's root; the others under /<code>/).
LANGUAGES: tuple[str, ...] = ("nb", "en")
DEFAULT = LANGUAGES[0]

_current = DEFAULT


def use(lang: str) -> None:
    """Write what follows in ``lang`` (one of :data:`LANGUAGES`)."""
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    _current = lang


def current() -> str:
    return _current


def texts(lang: str | None = None) -> ModuleType:
    """The text module of ``lang`` (default: the current language)."""
    lang = lang or _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    return import_module(f"analysis.pages.text_{lang}")

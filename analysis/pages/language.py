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


# --- phrases: the same rule in every language, over the language's own words -----------------------------------


def warning_phrase(names: str, lang: str | None = None) -> str:
    """«Merknad: …» / "Note: …" for the ``;``-separated warning names of a value (an unknown name is shown as
    it is, never dropped: a warning that says nothing readable is still a warning); ``""`` for none."""
    if not isinstance(names, str) or not names:
        return ""
    t = texts(lang)
    return f"{t.WARNING_LABEL}: " + "; ".join(t.WARNINGS.get(n, n) for n in names.split(";"))


def methods_markdown(keys: list[str] | None = None, lang: str | None = None) -> str:
    """The methods page body: the chosen sections (all, in order), each with a level-2 heading."""
    sections = texts(lang).SECTIONS
    keys = list(sections) if keys is None else keys
    return "\n".join(f"## {sections[k][0]}\n\n{sections[k][1]}" for k in keys)


def reason_phrase(code: str, lang: str | None = None) -> str:
    """The words for a reason code or a ``;``-separated list of codes (a code without words as it is)."""
    if not code:
        return ""
    reasons = texts(lang).REASONS
    return " ".join(reasons.get(c, c) for c in str(code).split(";"))


def border_left_out_phrase(note: str, lang: str | None = None) -> str:
    """A left-out row's ``note`` as the page says it: a border change's ``utelatt: merged 0807 2019`` (several
    joined by ``; `` when a member's area held several old units) in words, with the old unit's name from the
    registry; any other reason (already in words) as it is."""
    import re

    from analysis.reference.geography import name_of

    said = []
    for part in note.removeprefix("utelatt: ").split("; "):
        found = re.fullmatch(r"(split|merged|unknown) (\d+) (\d{4})", part)
        if not found:
            return note.removeprefix("utelatt: ")
        kind, code, year = found.groups()
        said.append(texts(lang).BORDER_LEFT_OUT[kind].format(code=code, name=name_of(code), year=year))
    return "; ".join(said)

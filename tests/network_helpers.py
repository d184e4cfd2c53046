"""Networks of the tests' own, so the suite holds whichever network ``params/network.yaml`` configures.

``BUNDLED_NETWORK`` is a frozen copy of the network the project ships with (the one the committed demo
targets and ``data/reference/population.csv`` were made for): tests with known answers for Trondheim,
Ålesund or Viken load it instead of the configured file. ``configured_members`` reads the configured
file with plain YAML, independently of :mod:`analysis.reference.members`, for tests whose expectation
must follow whatever a county put there.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from analysis.core import config
from analysis.reference.members import load_units

BUNDLED_NETWORK = Path(__file__).parent / "fixtures" / "network" / "bundled.yaml"
#: The targets file the project ships with (network targets and two local ones: Trondheim's and Stavanger's).
BUNDLED_TARGETS = Path(__file__).parent / "fixtures" / "network" / "bundled_targets.csv"


def bundled_units():
    """``load_units`` of the frozen bundled network (15 members, Viken 2020-2023 among them)."""
    return load_units(BUNDLED_NETWORK)


def configured_members(path: Path | None = None) -> list[dict]:
    """The member entries of the configured network.yaml, read as plain YAML."""
    with open(path or config.NETWORK_YAML, encoding="utf-8") as f:
        return yaml.safe_load(f)["members"]


def write_network(folder: Path, members: list[dict], counties: dict[str, str], name: str = "Testnettverket") -> Path:
    """A network.yaml in ``folder`` with these members (codes quoted, as the file requires)."""
    path = folder / "network.yaml"
    data = {"network": {"name": name}, "members": members, "counties": counties}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, default_style=None), encoding="utf-8")
    return path

"""Files kept under the digest of what they were made from: the build's downloads and annual reports.

A build asks for each file by its key; a file already made from the same inputs is copied instead of made
again, a new one is stored (atomically) once it is made, and at the end the files no key of this build
asked for are removed, so the cache holds exactly what the last build used.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from analysis.core.atomic import atomic_path


class FileCache:
    def __init__(self, folder: Path, suffix: str) -> None:
        self.folder = Path(folder)
        self.suffix = suffix
        self.used: set[Path] = set()

    def path(self, key: str) -> Path:
        """Where the file of ``key`` is kept (counted as used by this build)."""
        path = self.folder / f"{key}{self.suffix}"
        self.used.add(path)
        return path

    def fetch(self, key: str, target: Path) -> bool:
        """Copy the file of ``key`` to ``target`` if it was made before; whether it was."""
        cached = self.path(key)
        if not cached.is_file():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, target)
        return True

    def store(self, key: str, made: Path) -> None:
        store(made, self.path(key))

    def drop_unused(self) -> None:
        """Remove the kept files no key of this build asked for."""
        if self.folder.is_dir():
            for stale in self.folder.glob(f"*{self.suffix}"):
                if stale not in self.used:
                    stale.unlink()


def store(made: Path, cached: Path) -> None:
    """Copy ``made`` to ``cached`` atomically (a build stopped halfway leaves no half file to be reused)."""
    cached.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(cached) as tmp:
        shutil.copyfile(made, tmp)

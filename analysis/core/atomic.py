"""Atomic writes: every output goes to a temporary name beside its target and is moved into place,
so that a crash never leaves a half-written file where a good one was."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it onto ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary shared files
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_atomic_parquet(df: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)


def write_atomic_csv(df: pd.DataFrame, path: Path, encoding: str = "utf-8") -> None:
    """``encoding="utf-8-sig"`` (with a byte-order mark) for files people open in Excel, which reads
    UTF-8 without one as Latin-1 ("Ã˜konomi")."""
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, encoding=encoding, lineterminator="\n")


def write_atomic_text(text: str, path: Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


# --- whole folders: a new generation made complete, then switched in one step -------------------------


def versions_dir(link: Path) -> Path:
    """Where the generations of ``link`` live: ``data/processed`` -> ``data/processed.versions/``."""
    return link.with_name(link.name + ".versions")


def new_generation(link: Path) -> Path:
    """An empty folder for the next generation of ``link``, next to the others (same file system)."""
    import time

    now = time.time_ns()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now // 10**9)) + f".{now % 10**9:09d}"
    folder = versions_dir(link) / f"{stamp}-{os.getpid()}"  # sorts by time
    folder.mkdir(parents=True)
    return folder


def switch_to(generation: Path, link: Path, keep: int = 2) -> None:
    """Make ``link`` (a symlink) point at ``generation`` by renaming a new symlink onto it: one atomic
    step, so a reader or a crash sees either the old folder or the new one, never none and never a mix.
    The ``keep`` newest generations stay (the previous one for a quick look back); older ones go.

    A ``link`` that is still a real folder (a project from before generations) is moved among the
    versions first, once."""
    import shutil

    link = Path(link)
    versions = versions_dir(link)
    versions.mkdir(parents=True, exist_ok=True)
    if link.exists() and not link.is_symlink():
        os.replace(link, versions / f"00000000-earlier-{os.getpid()}")
    tmp = link.with_name(f".{link.name}.{os.getpid()}.link")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(generation, link.parent), tmp)
    os.replace(tmp, link)
    current = Path(os.path.realpath(link))
    older = sorted((p for p in versions.iterdir() if p.is_dir() and p.resolve() != current), key=lambda p: p.name)
    for stale in older[: max(0, len(older) - (keep - 1))]:
        shutil.rmtree(stale, ignore_errors=True)


# --- one build at a time in one project folder ---------------------------------------------------------


class BuildBusy(RuntimeError):
    """Another build holds the project's lock."""


@contextmanager
def build_lock(root: Path, out=None) -> Iterator[None]:
    """Hold the project's build lock (``.build.lock``, an ``flock``) for the duration; a second build
    stops at once with the first one's pid. The kernel releases the lock of a killed build, so a stale
    lock file is simply taken over (and said so)."""
    import fcntl
    import sys

    path = Path(root) / ".build.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        previous = os.read(fd, 32).decode("ascii", "replace").strip()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildBusy(
                f"another build is running in {root} (pid {previous or '?'}); wait for it to finish"
            ) from None
        if previous and previous != str(os.getpid()):
            print(
                f"      (took over the lock left by an earlier build, pid {previous}, that has stopped)",
                file=out or sys.stdout,
            )
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)

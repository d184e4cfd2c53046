"""Generations switched in one step, and one build at a time per project folder."""

import os
import subprocess
import sys
import textwrap

import pytest

from analysis.core.atomic import BuildBusy, build_lock, new_generation, switch_to
from analysis.site.render import publish


def test_a_folder_becomes_a_link_to_its_newest_generation_and_old_ones_are_pruned(tmp_path):
    link = tmp_path / "processed"
    link.mkdir()
    (link / "table.csv").write_text("old")  # a project from before generations: a real folder
    names = []
    for text in ("first", "second", "third"):
        generation = new_generation(link)
        (generation / "table.csv").write_text(text)
        switch_to(generation, link)
        names.append(generation.name)
        assert link.is_symlink() and (link / "table.csv").read_text() == text
    kept = sorted(p.name for p in (tmp_path / "processed.versions").iterdir())
    assert kept == names[1:]  # the current and the previous generation
    assert not os.path.isabs(os.readlink(link))  # relative, so the project folder can be moved


def test_publishing_switches_the_site_without_a_moment_without_one(tmp_path):
    site = tmp_path / "_site"
    site.mkdir()
    (site / "index.html").write_text("forrige")
    built = tmp_path / "_build" / "_site"
    built.mkdir(parents=True)
    (built / "index.html").write_text("ny")
    publish(built, site)
    assert (site / "index.html").read_text() == "ny" and not built.exists()
    previous = [p for p in (tmp_path / "_site.versions").iterdir() if (p / "index.html").read_text() == "forrige"]
    assert len(previous) == 1  # the previous site is kept beside it


HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from analysis.core.atomic import build_lock
    with build_lock(Path(sys.argv[1])):
        print("holding", flush=True)
        time.sleep(600)  # until the test kills it: on a busy machine the second build took over 30 s to start
    """
)


@pytest.mark.slow
def test_a_second_build_stops_at_once_naming_the_first(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(BuildBusy, match=rf"another build is running in .* \(pid {holder.pid}\)"):
            with build_lock(tmp_path):
                pass
        env = {**os.environ, "BAEREKRAFT_ROOT": str(tmp_path)}
        cli = subprocess.run(
            [sys.executable, "-m", "analysis", "build-data"], env=env, capture_output=True, text=True, timeout=120
        )
        assert cli.returncode == 3 and f"pid {holder.pid}" in cli.stderr and "Traceback" not in cli.stderr
    finally:
        holder.kill()
        holder.wait()
    # the killed build's lock is released by the kernel; its pid is still in the file and is taken over
    lines = []

    class Out:
        def write(self, text):
            lines.append(text)

    with build_lock(tmp_path, out=Out()):
        assert (tmp_path / ".build.lock").read_text() == str(os.getpid())
    assert f"pid {holder.pid}" in "".join(lines)

"""Benchmark of the annual-report step: every member's PDF from the executed pages of the last build.

Run as ``python -m bench.bench_annual`` after ``make report`` (it reads ``reports/_build``, writes its
PDFs to a temporary folder and never touches the site). Prints, per PDF, the median over
``--repeat`` runs of the whole step (Markdown from the notebook, pandoc to Typst, Typst to PDF), and
as the baseline in the same run the median of compiling the same template with an empty body, so
the cost of the page's own content is the difference.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from analysis.core import config
from analysis.pages import report_data
from analysis.site import annual


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    staging = config.REPORTS_DIR / "_build"
    if not (staging / "index.ipynb").is_file():
        print("No executed pages in reports/_build: run `make report` first.", file=sys.stderr)
        return 1
    data = report_data.load()
    reports = annual.annual_reports(data, staging, "Bærekraftsnettverket")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        full, empty = [], []
        for _ in range(args.repeat):
            for report in reports:
                target = replace(report, pdf=out / report.pdf.name)
                start = time.perf_counter()
                result = annual.make_annual_report(target, staging)
                if not result.ok:
                    raise SystemExit(f"{report.label}: {result.error}")
                full.append(time.perf_counter() - start)
            start = time.perf_counter()
            typ = staging / ".bench-empty.typ"
            annual.compile_pdf(annual.document(reports[0].cover, "", ""), typ, out / "empty.pdf", staging)
            typ.unlink(missing_ok=True)
            empty.append(time.perf_counter() - start)
    print(f"Annual reports: {len(reports)} PDFs, median of {args.repeat} runs")
    print(f"  per PDF (notebook -> pandoc -> Typst -> PDF): {statistics.median(full):5.2f} s")
    print(f"  baseline, the template with an empty body:      {statistics.median(empty):5.2f} s")
    print(f"  all PDFs, one worker:                           {statistics.median(full) * len(reports):5.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

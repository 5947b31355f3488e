"""Reading a bulk table: seconds for a 200-unit ``.bulk.xlsx``, beside references measured in the same run.

Usage: python benchmarks/bench_intake.py [N] [--repeat R]

The table has every field of every org type as a column (the header ``appraisal template --bulk`` writes), one
row per unit; the units are the bundled examples under new ids, cycled to N. Printed, best and median of R
rounds each:

- ``load_submissions`` of the table: open, stream the cells, convert, validate (what ``appraisal run`` does);
- openpyxl alone streaming the same cells (read_only, the floor for any reader built on it);
- ``load_submissions`` of the same units as one JSON list (validation without spreadsheets);
- python-calamine reading the same cells, where it is installed (it is not a dependency).

The issue's target: under 5 s for 200 units.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

from appraisal import load_rubric
from appraisal.intake import bulk_header
from appraisal.intake.template import workbook_bytes
from appraisal.resources import examples
from appraisal.submission import SubmissionBase, load_submissions


def _value(unit: SubmissionBase, path: str) -> Any:
    head, _, rest = path.partition(".")
    value = getattr(getattr(unit, head, None), rest, None) if rest else getattr(unit, head, None)
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value) if not hasattr(value, "as_tuple") else float(value)


def _units(n: int) -> list[SubmissionBase]:
    found, _ = load_submissions([p for p in sorted(examples().iterdir()) if p.suffix in (".json", ".yaml")])
    return [found[i % len(found)].model_copy(update={"unit_id": f"unit-{i:04d}"}) for i in range(n)]


def _rounds(label: str, repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    print(f"{label:<44} best {min(times):6.3f} s   median {statistics.median(times):6.3f} s")
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rubric = load_rubric(2026)
    header = bulk_header(rubric)
    units = _units(args.n)
    with tempfile.TemporaryDirectory() as folder:
        table = Path(folder) / "units.bulk.xlsx"
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(header)
        for unit in units:
            sheet.append([_value(unit, path) for path in header])
        table.write_bytes(workbook_bytes(book, rubric.year))
        listed = Path(folder) / "units.json"
        listed.write_text(json.dumps([u.model_dump(mode="json", exclude_none=True) for u in units]), "utf-8")
        print(f"{args.n} units x {len(header)} columns; {table.stat().st_size} bytes of xlsx")

        def stream() -> int:
            opened = openpyxl.load_workbook(table, read_only=True, data_only=False)
            cells = sum(1 for row in opened.active.iter_rows() for cell in row if cell.value is not None)  # type: ignore[union-attr]
            opened.close()
            return cells

        def intake() -> None:
            loaded, rejected = load_submissions([table])
            assert len(loaded) == args.n and not rejected, rejected[:3]

        intake()  # the first read imports and builds the models: not counted
        best = _rounds("load_submissions(units.bulk.xlsx)", args.repeat, intake)
        _rounds("openpyxl read_only, cells only", args.repeat, stream)
        _rounds("load_submissions(units.json), same units", args.repeat, lambda: load_submissions([listed]))
        try:  # not a dependency: compared only where it happens to be installed
            from python_calamine import CalamineWorkbook
        except ImportError:
            print("python-calamine not installed: not compared")
        else:

            def calamine() -> int:
                rows = CalamineWorkbook.from_path(str(table)).get_sheet_by_index(0).to_python()
                return sum(1 for row in rows for value in row if value != "")

            _rounds("python-calamine, cells only", args.repeat, calamine)
    print(f"target: under 5 s for 200 units; {'met' if best * 200 / args.n < 5 else 'NOT met'} ({best:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

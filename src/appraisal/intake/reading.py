"""Reading filled workbooks and bulk tables: spreadsheet files in, validated submissions (or errors) out.

In: an ``.xlsx`` made by ``appraisal template`` (one unit, ``forms.py``), or a bulk table ``*.bulk.csv`` /
``*.bulk.xlsx`` (one unit per row, ``bulk.py``). Out: ``(source, SubmissionBase | InputError)`` per unit, as
``submission.loading.units_in`` yields for JSON and YAML (it calls ``spreadsheet_units`` for these files); the
cells become a mapping that ``validate_unit`` checks like any other, and every problem is named by its cell:
``village-017.xlsx: Leadership!C7 standing committee hearings: not a whole number ("two")``. A bad workbook,
or a bad row, never costs other units their results.

Nothing in a workbook is run or evaluated: a formula's saved value is read, and a formula without one is an
error. The file is checked before openpyxl opens it (``files.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError, Problem
from ..submission.loading import IndicatorsSource
from .bulk import bulk_units, csv_table, xlsx_table
from .files import MAX_FORM_UNPACKED, MAX_UNPACKED, REFUSED, Refused, check_archive, file_bytes
from .filled import Result
from .forms import form_unit
from .layout import is_bulk


def spreadsheet_units(
    path: Path, name: str | None = None, given: IndicatorsSource = None, data: bytes | None = None
) -> Iterator[Result]:
    """Each unit in one spreadsheet file with its source (the file's name; ``name row N`` in a bulk table),
    validated, or the error rejecting it. ``given`` is what ``load_submissions`` calls ``rubric``; ``data``
    the file's bytes when already read (a batch worker's, or a Dask worker's, which has no path)."""
    name = name or path.name
    suffix = path.suffix.lower()
    results: list[Result] = []
    try:
        if suffix in REFUSED:
            raise Refused(REFUSED[suffix])
        if suffix == ".csv" and not is_bulk(name):
            raise Refused(f"a CSV file is read as a bulk table when its name ends in .bulk.csv ({path.stem}.bulk.csv)")
        data = file_bytes(path) if data is None else data
        if suffix == ".csv":
            results.extend(bulk_units(csv_table(data), name, given))
        else:
            if is_bulk(name):
                check_archive(data, MAX_UNPACKED)
                results.extend(bulk_units(xlsx_table(data), name, given))
            else:
                check_archive(data, MAX_FORM_UNPACKED)
                results.append(form_unit(data, name, given))
    except Refused as exc:
        yield name, InputError(name, [Problem("", str(exc))])
        return
    except InputError as exc:
        yield name, exc
        return
    yield from results

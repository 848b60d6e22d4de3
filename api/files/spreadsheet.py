"""Reading a spreadsheet as a planner saves it: CSV with any common delimiter (`,` `;` tab `|`,
found by `csv.Sniffer`), in UTF-8 with or without a byte-order mark or in Windows-1252 (what
Excel writes by default on Windows); or an Excel workbook (`.xlsx`, read by openpyxl, its first
sheet). The result is the sheet's header and its rows, each numbered as the spreadsheet numbers
it (the header is row 1), so that an error can name the row a person sees."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from typing import Any

MAX_BYTES = 5_000_000
MAX_ROWS = 20_000
DELIMITERS = ",;\t|"
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


class SheetUnreadable(ValueError):
    """The file cannot be read as a spreadsheet at all; `rule` says why."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


@dataclass(frozen=True)
class Row:
    """One row of the sheet: its number as the spreadsheet shows it, and its cells by column
    (the header's names, normalised)."""

    number: int
    cells: dict[str, Any]


@dataclass(frozen=True)
class Sheet:
    """A sheet's header (normalised names, in order) and its non-blank rows."""

    kind: str  # "csv" or "xlsx"
    header: list[str]
    rows: list[Row]
    delimiter: str | None = None
    encoding: str | None = None


def column_name(text: object) -> str:
    """A header cell as a column name: trimmed, lower case, spaces and dashes as underscores
    (`Starts On` -> `starts_on`)."""
    return "_".join(str(text or "").strip().lower().replace("-", " ").split())


def read_sheet(data: bytes, filename: str | None = None, *, max_rows: int = MAX_ROWS) -> Sheet:
    """The header and rows of a CSV or XLSX file (chosen by its content, not its name)."""
    if len(data) > MAX_BYTES:
        raise SheetUnreadable(f"must be at most {MAX_BYTES:,} bytes")
    if data.startswith(XLS_MAGIC):
        raise SheetUnreadable(
            "is an Excel 97-2003 workbook (.xls), which is not read: save it as .xlsx or CSV"
        )
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, max_rows)
    if filename and filename.lower().endswith((".xlsx", ".xlsm")):
        raise SheetUnreadable("is named .xlsx but is not an Excel workbook")
    return _read_csv(data, max_rows)


def _decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise SheetUnreadable(
            "must be text in UTF-8 or Windows-1252 (save the sheet as CSV UTF-8), or an .xlsx "
            "workbook"
        ) from None


def _delimiter(text: str) -> str:
    """The delimiter `csv.Sniffer` finds in the first lines, else the one that splits the
    header into the most cells, else a comma."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = next((line for line in text.splitlines() if line.strip()), "")
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _read_csv(data: bytes, max_rows: int) -> Sheet:
    text, encoding = _decode(data)
    if not text.strip():
        raise SheetUnreadable("is empty: the first row must name the columns")
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[Row] = []
    try:
        for number, record in enumerate(reader, start=1):
            if header is None:
                header = [column_name(cell) for cell in record]
                if not any(header):
                    raise SheetUnreadable("row 1 must name the columns")
                continue
            if not any(cell.strip() for cell in record):
                continue  # a blank row, as spreadsheets often have
            if len(rows) >= max_rows:
                raise SheetUnreadable(f"must have at most {max_rows:,} rows")
            rows.append(Row(number, _cells(header, record)))
    except csv.Error as error:
        raise SheetUnreadable(f"is not well-formed CSV: {error}") from None
    return Sheet("csv", _named(header or []), rows, delimiter, encoding)


def _read_xlsx(data: bytes, max_rows: int) -> Sheet:
    from openpyxl import load_workbook  # only when a workbook comes in

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise SheetUnreadable(f"is not a readable .xlsx workbook ({error})") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise SheetUnreadable("has no worksheet")
        header: list[str] | None = None
        rows: list[Row] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header is None:
                if not any(v not in (None, "") for v in values):
                    raise SheetUnreadable("row 1 of its first sheet must name the columns")
                header = [column_name(v) for v in values]
                continue
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if len(rows) >= max_rows:
                raise SheetUnreadable(f"must have at most {max_rows:,} rows")
            rows.append(Row(number, _cells(header, list(values))))
        if header is None:
            raise SheetUnreadable("is empty: row 1 of its first sheet must name the columns")
        return Sheet("xlsx", _named(header), rows)
    finally:
        book.close()


def _cells(header: list[str], values: list[Any]) -> dict[str, Any]:
    """The row's cells by column name; a cell under a blank header cell is kept under its
    column's letter (`column F`) when it holds something, and dropped when it is blank."""
    cells: dict[str, Any] = {}
    for index, value in enumerate(values):
        name = header[index] if index < len(header) else ""
        if isinstance(value, str):
            value = value.strip()
        if not name:
            if value not in (None, ""):
                cells[f"column {letter(index)}"] = value
            continue
        cells[name] = value
    return cells


def letter(index: int) -> str:
    """The spreadsheet's name of the column at `index` (0 -> A, 26 -> AA)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _named(header: list[str]) -> list[str]:
    """The header without its trailing blank cells."""
    names = list(header)
    while names and not names[-1]:
        names.pop()
    return names

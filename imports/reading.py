"""Reading an uploaded sheet into a table of strings, refusing hostile or malformed files.

Every cell is read as text (`dtype=str`, no NA guessing): nothing is evaluated, so a cell that looks
like a formula (`=`, `+`, `-`, `@` first) stays the literal text it is. An `.xlsx` is opened with
openpyxl in read-only mode, and only after its zip directory shows it is a workbook whose
uncompressed size is within the limit (a zip bomb never gets decompressed). A formula cell of a
workbook is read as its formula text, like the same cell saved as CSV would be: the portal never
evaluates it and never uses a value a spreadsheet program cached for it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

import pandas as pd
from django.conf import settings

BOM = b"\xef\xbb\xbf"


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why in plain words."""

    def __init__(self, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass
class Limits:
    max_rows: int
    max_bytes: int
    max_uncompressed_bytes: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_rows=settings.IMPORT_MAX_ROWS,
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def extension(file_name: str) -> str:
    name = file_name.lower()
    for ext in (".csv", ".xlsx"):
        if name.endswith(ext):
            return ext
    raise FileProblem("Upload a .csv or .xlsx file.")


def read_sheet(data: bytes, file_name: str, limits: Limits | None = None) -> pd.DataFrame:
    """The sheet's data rows as strings, columns named by the header (lower case, trimmed).

    Fully blank rows are dropped (spreadsheets keep formatted empty rows at the end). The frame's
    index is the row number the errors use: 1 = the first data row after the header.
    """
    limits = limits or Limits.from_settings()
    ext = extension(file_name)
    if len(data) > limits.max_bytes:
        raise FileProblem(f"The file is larger than {_megabytes(limits.max_bytes)}; split it into smaller files.")
    if not data:
        raise FileProblem("The file is empty.")
    rows = _read_csv(data) if ext == ".csv" else _read_xlsx(data, limits)
    return _table(rows, limits)


def _read_csv(data: bytes) -> list[list[str]]:
    if data.startswith(b"PK\x03\x04") or b"\x00" in data[:65536]:
        raise FileProblem("The file is not a CSV text file (is it a workbook saved with the wrong name?).")
    if data.startswith(BOM):
        data = data[len(BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileProblem(
            f"The file is not UTF-8 text (line {line} of the file). Save it as 'CSV UTF-8' and upload it again."
        ) from exc
    first_line = text.split("\n", 1)[0]
    # The header decides: a header with more semicolons than commas is a semicolon file (European
    # spreadsheet programs save CSV that way).
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        # csv, not pandas' parser, splits the lines: it keeps duplicate header names apart (pandas
        # would rename them) and reports a broken quote; pandas then holds the table.
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)]
    except csv.Error as exc:
        raise FileProblem(f"The CSV file cannot be read: {exc}.") from exc


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, limits: Limits) -> list[list[str]]:
    import openpyxl

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise FileProblem("The file is not an Excel workbook (.xlsx).") from exc
    with archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise FileProblem("The file is not an Excel workbook (.xlsx).")
        # The sizes the zip directory declares; a member that would inflate past the limit is refused
        # before anything is decompressed.
        if sum(info.file_size for info in archive.infolist()) > limits.max_uncompressed_bytes:
            raise FileProblem(
                f"The workbook unpacks to more than {_megabytes(limits.max_uncompressed_bytes)}; "
                "it is refused (split it or save it as CSV)."
            )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise FileProblem("The workbook cannot be read; save it again as .xlsx and upload it.") from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in values])
            # Past the row limit (+ header + blank rows we may drop) stop reading: the count is enough.
            if len(rows) > limits.max_rows + 1 and any(rows[-1]):
                break
        return rows
    except zipfile.BadZipFile as exc:
        raise FileProblem("The workbook cannot be read; save it again as .xlsx and upload it.") from exc
    finally:
        workbook.close()


def _table(rows: list[list[str]], limits: Limits) -> pd.DataFrame:
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise FileProblem("The file has no header row.")
    header = [cell.strip().lower() for cell in rows[0]]
    while header and not header[-1]:
        header.pop()
    if "" in header:
        position = header.index("") + 1
        raise FileProblem(f"Column {position} of the header has no name.")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise FileProblem(f"The column '{name}' appears more than once in the header.", column=name)
        seen.add(name)
    width = len(header)
    body: list[list[str]] = []
    numbers: list[int] = []
    for number, row in enumerate(rows[1:], start=1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            raise FileProblem(f"Row {number} has more cells than the header has columns.")
        body.append((row + [""] * width)[:width])
        numbers.append(number)
        if len(body) > limits.max_rows:
            raise FileProblem(f"The file has more than {limits.max_rows:,} data rows; split it into smaller files.")
    if not body:
        raise FileProblem("The file has no data rows (only a header).")
    frame = pd.DataFrame(body, columns=header, index=pd.Index(numbers, name="row"), dtype=str)
    return frame.apply(lambda column: column.str.strip())

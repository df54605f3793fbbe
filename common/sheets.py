"""Sheets the portal hands out, written with pandas + openpyxl: CSV and Excel bytes of rows under
declared columns, and the one rule that no cell of them is ever a formula (spreadsheet formula
injection, OWASP "CSV injection"), `escape_formula` and the typed-cell pass of `to_xlsx`.

A plain library at the bottom of the layers (moved here from `reports.exports` so that the imports
app, below reports, writes its templates and its sheets handed back with an Errors column through
the same code as every report export). `reports.exports` re-exports these names and keeps the report
columns and the download responses.

- Text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is "formula-like" (OWASP's list).
- CSV: a formula-like text cell gets a leading apostrophe (`'=HYPERLINK(...)`), OWASP's recommendation;
  Excel shows the apostrophe, which tells the reader the cell was neutralised.
- Excel: every text cell is written as a string cell (openpyxl turns a str beginning with "=" into a
  formula and "#N/A"-like text into an error cell; both are forced back to text), and a formula-like
  one also gets Excel's own "quote prefix" style, as if typed with an apostrophe, so editing the cell
  does not turn it into a formula either. The value stays the literal text, without an apostrophe.
- Only text is touched: numbers (a negative charge), dates and booleans stay what they are; a number
  that arrives as text (an id typed as "-5") is text and is escaped. Money (Decimal) is a number cell
  with two decimals in Excel (pandas alone would write it as text) and "386.00" in CSV.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import pandas as pd

Columns = Sequence[tuple[str, str]]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


# OWASP's list: what makes Excel, LibreOffice or Sheets read a cell as a formula (or a DDE call).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def escape_formula(value: Any) -> Any:
    """A cell value as it may go into a plain-text sheet (CSV): formula-like text gets a leading
    apostrophe (OWASP); anything else, numbers and dates included, is returned unchanged.

    Excel files keep the literal text instead and mark the cell as text (`to_xlsx`, `typed_cells`)."""
    return f"'{value}" if is_formula_like(value) else value


def typed_cells(worksheet: Any, data: pd.DataFrame, *, first_row: int = 2) -> None:
    """After pandas wrote the sheet: every text cell is a string cell (never a formula or an error
    value), and money (Decimal, which pandas writes as text) is a number with two decimals."""
    for index, column in enumerate(data.columns, start=1):
        if data[column].dtype != object:  # ints, floats, datetimes: pandas wrote them as such
            continue
        cells = worksheet.iter_rows(min_row=first_row, min_col=index, max_col=index)
        for (cell,), value in zip(cells, data[column], strict=True):
            if isinstance(value, Decimal):
                cell.value = float(value)  # Excel keeps numbers as doubles anyway
                cell.number_format = "0.00"
            elif isinstance(value, str):
                cell.data_type = "s"
                if is_formula_like(value):
                    cell.quotePrefix = True


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    return value


def frame(rows: Iterable[Mapping[str, Any]], columns: Columns) -> pd.DataFrame:
    keys = [key for key, _ in columns]
    data = [[_cell(row.get(key)) for key in keys] for row in rows]
    return pd.DataFrame(data, columns=[header for _, header in columns])


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Columns) -> bytes:
    return frame(rows, columns).map(escape_formula).to_csv(index=False).encode("utf-8")


# Column widths in characters: never narrower than a date, never wider than a laptop screen's third.
MIN_WIDTH, MAX_WIDTH = 10, 60
DATE_WIDTH = 10  # 2026-12-01


def column_widths(data: pd.DataFrame) -> list[int]:
    """Each column as wide as its longest cell or header (counted over the frame, not cell by cell)."""
    widths = []
    for header in data.columns:
        values = data[header]
        if len(values) and values.map(lambda value: isinstance(value, dt.date)).all():
            longest = DATE_WIDTH
        else:
            longest = int(values.astype(str).str.len().max()) if len(values) else 0
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, longest, len(str(header))) + 2))
    return widths


def to_xlsx(rows: Iterable[Mapping[str, Any]], columns: Columns, *, sheet: str = "Report") -> bytes:
    buffer = io.BytesIO()
    data = frame(rows, columns)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        data.to_excel(writer, index=False, sheet_name=sheet[:31])
        worksheet = writer.sheets[sheet[:31]]
        typed_cells(worksheet, data)
        for index, width in enumerate(column_widths(data), start=1):
            worksheet.column_dimensions[worksheet.cell(row=1, column=index).column_letter].width = width
        worksheet.freeze_panes = "A2"
        # Excel's filter buttons on the header row, over every row written.
        worksheet.auto_filter.ref = worksheet.dimensions
    return buffer.getvalue()

"""Vectorised checks of whole columns: blanks, types and lookups as joins against reference data.

Each function takes a column (a pandas Series of stripped strings, indexed by row number) and an
`Errors` collector, and returns the parsed column (NaN/NaT/None where the cell was bad or blank).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings

WHOLE_NUMBER = r"\d{1,9}"
AMOUNT = r"-?\d{1,12}(\.\d{1,12})?"
TRUE_WORDS = {"Y", "YES", "TRUE", "1"}
FALSE_WORDS = {"N", "NO", "FALSE", "0", ""}


@dataclass
class Errors:
    """Every problem found, as API.md's `{"row", "column", "message"}`; one message per row and column."""

    items: dict[tuple[int, str], str] = field(default_factory=dict)

    def add(self, rows: Iterable[int], column: str, message: str) -> None:
        for row in rows:
            self.items.setdefault((int(row), column), message)

    def add_mask(self, mask: pd.Series, column: str, message: str) -> None:
        self.add(mask.index[mask.to_numpy(dtype=bool)], column, message)

    def rows(self) -> set[int]:
        return {row for row, _ in self.items}

    def as_list(self, order: list[str]) -> list[dict[str, Any]]:
        position = {name: index for index, name in enumerate(order)}
        keys = sorted(self.items, key=lambda key: (key[0], position.get(key[1], len(order)), key[1]))
        return [{"row": row, "column": column, "message": self.items[(row, column)]} for row, column in keys]

    def __bool__(self) -> bool:
        return bool(self.items)


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """The column, or an all-blank one when the file does not have it (optional columns)."""
    if name in frame.columns:
        return frame[name]
    return pd.Series("", index=frame.index, dtype=object)


def required(series: pd.Series, name: str, errors: Errors) -> pd.Series:
    """Mask of the non-blank cells; blanks are reported."""
    blank = series == ""
    errors.add_mask(blank, name, "This column is required.")
    return ~blank


def whole_number(series: pd.Series, name: str, errors: Errors, *, minimum: int = 0) -> pd.Series:
    """Non-negative whole numbers (as Int64); blank is <NA> without an error."""
    given = series != ""
    ok = series.str.fullmatch(WHOLE_NUMBER)
    errors.add_mask(given & ~ok, name, "Enter a whole number.")
    numbers = pd.to_numeric(series.where(given & ok), errors="coerce").astype("Int64")
    if minimum:
        small = (numbers < minimum).fillna(False)
        errors.add_mask(small, name, f"Enter a whole number of at least {minimum}.")
        numbers = numbers.mask(small)
    return numbers


def amount(series: pd.Series, name: str, errors: Errors) -> pd.Series:
    """Numbers like 125 or 125.50 (as Decimal objects); blank is None. Whether the amount is
    acceptable (sign, decimals, size) is the entry check's to say (services.validators)."""
    given = series != ""
    ok = series.str.fullmatch(AMOUNT)
    errors.add_mask(given & ~ok, name, "Enter an amount like 125.00 (no currency sign).")
    return series.where(given & ok).map(lambda text: Decimal(text) if isinstance(text, str) else None)


def _without_midnight(series: pd.Series) -> pd.Series:
    # A date cell of a workbook reads as "YYYY-MM-DD 00:00"; a date column takes it as the date.
    return series.str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]00:00(:00)?$", r"\1", regex=True)


def _iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def date(series: pd.Series, name: str, errors: Errors) -> pd.Series:
    """Dates written YYYY-MM-DD (as datetime.date objects, any year); blank is None."""
    series = _without_midnight(series)
    given = series != ""
    shaped = given & series.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    known = {text: _iso_date(text) for text in series[shaped].unique()}
    parsed = pd.Series([known.get(text) for text in series], index=series.index, dtype=object)
    errors.add_mask(given & parsed.isna(), name, "Enter a date as YYYY-MM-DD.")
    return parsed


def county_datetime(series: pd.Series, name: str, errors: Errors) -> pd.Series:
    """`YYYY-MM-DD HH:MM` in the county's time zone, as aware timestamps.

    Decision: in the autumn hour that happens twice, the time is the first one (daylight time); a
    time the spring change skips is an error.
    """
    given = series != ""
    shaped = series.str.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:00)?")
    text = series.where(given & shaped).str.slice(0, 16).str.replace("T", " ", regex=False)
    naive = pd.to_datetime(text, format="%Y-%m-%d %H:%M", errors="coerce")
    errors.add_mask(given & naive.isna(), name, "Enter a date and time as YYYY-MM-DD HH:MM (county time).")
    aware = naive.dt.tz_localize(settings.TIME_ZONE, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="NaT")
    errors.add_mask(
        given & naive.notna() & aware.isna(), name, "This time does not exist in county time (daylight saving change)."
    )
    return aware


def yes_no(series: pd.Series, name: str, errors: Errors) -> pd.Series:
    """Y/N (also yes/no, true/false, 1/0, any case); blank is N."""
    upper = series.str.upper()
    bad = ~upper.isin(TRUE_WORDS | FALSE_WORDS)
    errors.add_mask(bad, name, "Enter Y or N.")
    return upper.isin(TRUE_WORDS)


def choice(series: pd.Series, name: str, errors: Errors, choices: list[tuple[str, str]], default: str) -> pd.Series:
    """One of a model's choices, by value or label in any case; blank is the default."""
    words = {value.lower(): value for value, _ in choices} | {str(label).lower(): value for value, label in choices}
    mapped = series.str.lower().map(words)
    bad = (series != "") & mapped.isna()
    errors.add_mask(bad, name, f"Choose one of: {', '.join(value for value, _ in choices)}.")
    return mapped.fillna(default)


def lookup(keys: pd.DataFrame, reference: pd.DataFrame, on: list[str], value: str) -> pd.Series:
    """Join the file's key columns to reference rows (a left join that keeps the file's row numbers).

    Reference keys that occur more than once give NaN and are reported by `ambiguous`.
    """
    counted = reference.groupby(on, dropna=False)[value].agg(match_value="first", match_count="size").reset_index()
    counted.loc[counted["match_count"] > 1, "match_value"] = np.nan
    joined = keys[on].reset_index().merge(counted, on=on, how="left").set_index(keys.index.name or "index")
    return joined["match_value"].reindex(keys.index)


def ambiguous(keys: pd.DataFrame, reference: pd.DataFrame, on: list[str]) -> pd.Series:
    """Mask of the file's rows whose key matches more than one reference row."""
    sizes = reference.groupby(on, dropna=False).size().rename("match_count").reset_index()
    joined = keys[on].reset_index().merge(sizes, on=on, how="left").set_index(keys.index.name or "index")
    return (joined["match_count"].reindex(keys.index) > 1).fillna(False)


def duplicates(series: pd.Series, name: str, errors: Errors, message: str) -> None:
    """Each non-blank value that an earlier row already has; `message` gets the earlier row's number."""
    given = series[series.notna() & (series.astype(str) != "")]
    dup = given.duplicated(keep="first")
    first_row = given.reset_index().groupby(given.name or 0)[given.index.name or "index"].transform("first")
    first_row.index = given.index
    for row in given.index[dup.to_numpy()]:
        errors.add([row], name, message.format(row=int(first_row[row])))


def header_problems(columns: list[str], known: list[str], required_any: list[list[str]]) -> list[str]:
    """Unknown columns and missing required ones, as messages (the whole file is refused)."""
    problems = [f"Unknown column '{name}'." for name in columns if name not in known]
    for alternatives in required_any:
        if not any(all(part in columns for part in alternative.split("+")) for alternative in alternatives):
            spelled = " or ".join(" + ".join(alt.split("+")) for alt in alternatives)
            problems.append(f"The file needs the column {spelled}.")
    return problems

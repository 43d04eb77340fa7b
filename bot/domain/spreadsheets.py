"""Reading CSV files people upload, and writing CSV that is safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from bot.errors import InvalidInputError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Text a spreadsheet shows as text: a leading =, +, -, @, tab or CR would start a formula.

    OWASP's advice: prefix such cells with an apostrophe, which spreadsheets hide.
    """
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


@dataclass(frozen=True)
class Row:
    """One data row: its line number in the file (for error messages) and its cells by column."""

    line: int
    cells: dict[str, str]
    problem: str | None = None


def read_csv(
    data: bytes, *, required: Sequence[str], known: Sequence[str]
) -> Iterator[Row]:
    """Rows of a UTF-8 CSV (with or without BOM), comma- or semicolon-separated.

    A row that cannot be read (wrong number of cells, bytes that are not UTF-8) comes back
    with `problem` set, so the caller reports it by line and carries on with the rest.

    Raises:
        InvalidInputError: The file is empty or its header lacks a required column.
    """
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    if not any(header):
        raise InvalidInputError(
            "The file is empty: it needs a header line such as email,name,organisation,role,topics."
        )
    missing = [c for c in required if c not in header]
    if missing:
        raise InvalidInputError(
            f"The header line has no {', '.join(missing)} column (found: {', '.join(header)})."
        )
    unknown = [c for c in header if c and c not in known]
    if unknown:
        raise InvalidInputError(
            f"Unknown column {unknown[0]!r}: the columns are {', '.join(known)}."
        )
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if any(
            c.strip() for c in cells
        ):  # blank lines (a trailing one, say) are not rows
            yield _row(start, header, cells)


def _row(line: int, header: list[str], cells: list[str]) -> Row:
    if len(cells) != len(header):
        return Row(
            line,
            {},
            problem=f"has {len(cells)} values where the header has {len(header)}",
        )
    if any(_has_bad_bytes(c) for c in cells):
        return Row(line, {}, problem="is not valid UTF-8 text")
    return Row(line, dict(zip(header, (c.strip() for c in cells), strict=True)))


def _has_bad_bytes(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)

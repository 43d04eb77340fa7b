"""Member CSV files for import tests: many good rows and a known set of bad rows of every kind.

`member_csv` writes the bytes a spreadsheet or a script would (UTF-8, CRLF line ends, quotes
where needed) and returns, for every bad row, the line on which it starts and a piece of the
reason the importer must give for it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

ORGANISATIONS = (
    "Birmingham Children's Trust",
    "West Midlands Police",
    "Children's Services, North",  # a comma: the CSV writer must quote it
    "Ysgol Gymraeg – Cynradd",  # non-ASCII
    "NSPCC",
    "General practice (GP)",
    "Other",
)
TOPICS = (
    "Neglect",
    "Resolution and escalation",
    "Child sexual and criminal exploitation",
    "Children out of sight of services",
    "Quality of referrals",
)
HEADER = ("email", "name", "organisation", "role", "topics")
BAD_KINDS = 10
BOM = b"\xef\xbb\xbf"
_BAD_BYTES = b"\xff\xfe\xc3"  # not UTF-8 in any order
_BAD_BYTES_MARK = "@@BADBYTES@@"


@dataclass
class MemberFile:
    data: bytes
    rows: int
    good: int
    rejected: dict[int, str] = field(default_factory=dict)  # line -> part of the reason
    kinds: dict[int, str] = field(default_factory=dict)  # line -> what is wrong
    good_addresses: list[str] = field(default_factory=list)


def address(i: int) -> str:
    return f"member{i:05d}@{('example.org', 'nhs.example.net', 'school.example.sch.uk')[i % 3]}"


def _good_row(i: int, delimiter: str) -> list[str]:
    """A valid row with some variety: case, spaces, accents, empty optional cells, topic separators."""
    email = address(i)
    if i % 13 == 0:
        email = email.upper()
    if i % 17 == 0:
        email = f"  {email} "
    name = f"Zoë Ní Bhriain {i}" if i % 7 == 0 else f"Member Number {i}"
    organisation = "" if i % 11 == 0 else ORGANISATIONS[i % len(ORGANISATIONS)]
    role = (
        ""
        if i % 5 == 0
        else ("Designated safeguarding lead", "Social worker", "GP")[i % 3]
    )
    chosen = [TOPICS[(i + k) % len(TOPICS)] for k in range(i % 4)]
    other = (
        "," if delimiter == ";" else ";"
    )  # the separator that is not the file's delimiter
    topics = (other if i % 2 else "|").join(chosen)
    return [email, name, organisation, role, topics]


def _bad_row(
    kind: int, i: int, variant: int, previous: tuple[str, int]
) -> tuple[list[str], str, str]:
    """(cells, part of the expected reason, description) of one bad row."""
    good = [address(i), f"Bad Row {i}", ORGANISATIONS[0], "Role", TOPICS[0]]
    if kind == 0:
        bad = (
            "not-an-address",
            f"member{i}@",
            "a b@example.org",
            f"member{i}@@example.org",
            "x@y",
        )[variant]
        return [bad, *good[1:]], "not a valid email address", "malformed address"
    if kind == 1:
        return (
            [good[0], ("", "   ")[variant % 2], *good[2:]],
            "A name is required",
            "missing name",
        )
    if kind == 2:
        return (
            [*good[:2], "Ministry of Magic", *good[3:]],
            "is not one of the listed organisations",
            "unknown organisation",
        )
    if kind == 3:
        return (
            [*good[:4], f"{TOPICS[1]}|Quidditch"],
            "Unknown topic 'Quidditch'",
            "unknown topic",
        )
    if kind == 4:
        cells = [*good, "surplus"] if variant % 2 else good[:4]
        return (
            cells,
            f"has {len(cells)} values where the header has 5",
            "wrong number of values",
        )
    if kind == 5:
        return (
            [good[0], "N" * 101, *good[2:]],
            "name must be at most 100 characters",
            "name too long",
        )
    if kind == 6:
        first, first_line = previous
        again = f" {first.upper()} " if variant % 2 else first
        return (
            [again, f"Repeat of line {first_line}", *good[2:]],
            f"already appears on line {first_line}",
            "duplicate address",
        )
    if kind == 7:
        return (
            [good[0], f"Bad{_BAD_BYTES_MARK}Bytes", *good[2:]],
            "is not valid UTF-8 text",
            "invalid UTF-8",
        )
    if kind == 8:
        injected = (
            f"{address(i)}\r\nBcc: victim@example.org",
            f"{address(i)}\nCc: x@example.org",
        )[variant % 2]
        return [injected, *good[1:]], "not a valid email address", "address with CR/LF"
    if variant % 2:
        return (
            [*good[:3], "R" * 101, good[4]],
            "role must be at most 100 characters",
            "role too long",
        )
    return (
        [f"{'a' * 290}@example.org", *good[1:]],
        "up to 254 characters",
        "address too long",
    )


def member_csv(
    rows: int = 10_000, *, bad: int = 50, delimiter: str = ",", bom: bool = False
) -> MemberFile:
    """A file of `rows` data rows, `bad` of them unimportable, spread evenly, of every kind in turn."""
    assert bad % BAD_KINDS == 0 and rows >= bad * 2
    step = rows // bad
    bad_at = {n * step + step // 2: n for n in range(bad)}
    out = bytearray(BOM if bom else b"")
    out += _encode(HEADER, delimiter)
    result = MemberFile(b"", rows=rows, good=rows - bad)
    line = 2  # the header is line 1
    previous = ("", 0)
    for i in range(rows):
        if i in bad_at:
            n = bad_at[i]
            cells, reason, kind = _bad_row(n % BAD_KINDS, i, n // BAD_KINDS, previous)
            result.rejected[line], result.kinds[line] = reason, kind
        else:
            cells = _good_row(i, delimiter)
            previous = (cells[0].strip().lower(), line)
            result.good_addresses.append(previous[0])
        encoded = _encode(cells, delimiter).replace(
            _BAD_BYTES_MARK.encode(), _BAD_BYTES
        )
        out += encoded
        line += encoded.count(
            b"\n"
        )  # a quoted cell holding a line break spans two lines
    result.data = bytes(out)
    assert len(set(result.good_addresses)) == result.good
    return result


def _encode(cells: Sequence[str], delimiter: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue().encode("utf-8")


def config_toml(**extra: object) -> str:
    """A forumbot.toml listing the organisations and topics above (plus any scalar settings)."""
    lines = [f"{key} = {_toml(value)}" for key, value in extra.items()]
    lines.append(f"organisations = [{', '.join(_toml(o) for o in ORGANISATIONS)}]")
    lines.append(f"topics = [{', '.join(_toml(t) for t in TOPICS)}]")
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'

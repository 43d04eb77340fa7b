"""CSV import and export on SQLite and PostgreSQL: bad rows reported by line, good rows land once."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from bot.domain import imports, membership
from bot.domain import members as m
from bot.errors import InvalidInputError
from bot.runtime import Services
from bot.store.tables import Member
from tests.domain.mailbox import member_rows, outbox_rows
from tests.domain.member_files import (
    BOM,
    ORGANISATIONS,
    TOPICS,
    MemberFile,
    address,
    member_csv,
)

CHOICES = m.Choices(organisations=ORGANISATIONS, topics=TOPICS)


async def run_import(
    services: Services,
    data: bytes,
    source: str = "members.csv",
    progress: list[int] | None = None,
) -> imports.ImportReport:
    async with services.sessions() as session:
        return await imports.import_members(
            session,
            data,
            choices=CHOICES,
            source=source,
            now=services.clock.now(),
            progress=(progress.append if progress is not None else lambda _: None),
        )


async def member_count(services: Services) -> int:
    async with services.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(Member))).one())


async def by_email(services: Services, email: str) -> Member:
    async with services.sessions() as session:
        found = (
            await session.exec(select(Member).where(col(Member.email) == email))
        ).one()
    return found


def check_rejections(report: imports.ImportReport, expected: MemberFile) -> None:
    """Exactly the bad rows are rejected, in file order, each with its line and why."""
    lines = [r.line for r in report.rejected]
    assert lines == sorted(expected.rejected), "rejected lines differ from the bad rows"
    for rejected in report.rejected:
        want = expected.rejected[rejected.line]
        assert want in rejected.reason, (
            f"line {rejected.line} ({expected.kinds[rejected.line]}): {rejected.reason!r}"
        )


@pytest.mark.parametrize(
    ("delimiter", "bom"),
    [(",", False), (",", True), (";", False), (";", True)],
    ids=["comma", "comma-bom", "semicolon", "semicolon-bom"],
)
async def test_import_lands_good_rows_and_reports_each_bad_one(
    services: Services, delimiter: str, bom: bool
) -> None:
    file = member_csv(2_000, bad=50, delimiter=delimiter, bom=bom)
    assert file.data.startswith(BOM) is bom
    assert len(set(file.kinds.values())) >= 10  # every kind of problem is in the file
    progress: list[int] = []

    report = await run_import(
        services, file.data, source="forum list.csv", progress=progress
    )

    assert (report.imported, report.updated, report.unchanged) == (file.good, 0, 0)
    assert len(report.rejected) == 50
    check_rejections(report, file)
    assert progress == sorted(progress) and progress[-1] == file.good
    assert await member_count(services) == file.good
    stored = {x.email for x in await member_rows(services)}
    assert stored == set(file.good_addresses)
    assert not any("bcc" in (e or "") or "\n" in (e or "") for e in stored)

    seven = await by_email(
        services, address(7)
    )  # accented name; a topic cell split on the other separator
    assert seven.name == "Zoë Ní Bhriain 7"
    assert seven.organisation == ORGANISATIONS[0] and seven.role == "Social worker"
    assert seven.topics == [TOPICS[2], TOPICS[3], TOPICS[4]]
    assert (seven.status, seven.consent_method) == (m.ACTIVE, "import")
    assert seven.consent_wording == "Added by the partnership from forum list.csv"
    comma = await by_email(
        services, address(2)
    )  # an organisation with a comma, quoted in the file
    assert comma.organisation == "Children's Services, North" and comma.topics == [
        TOPICS[2],
        TOPICS[3],
    ]
    upper = await by_email(
        services, address(13)
    )  # written in capitals with spaces around it
    assert upper.name == "Member Number 13"
    assert not any(
        x.name and x.name.startswith("Repeat of line")
        for x in await member_rows(services)
    )
    assert await outbox_rows(services) == []  # imported members are not written to


async def test_reimport_changes_nothing_then_updates_only_what_changed(
    services: Services,
) -> None:
    file = member_csv(1_000, bad=50)
    first = await run_import(services, file.data)
    assert first.imported == file.good

    again = await run_import(services, file.data)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, file.good)
    check_rejections(again, file)
    assert await member_count(services) == file.good

    left = await by_email(services, address(1))
    async with services.sessions() as session:
        stored = await session.get(Member, left.id)
        assert stored is not None
        await membership.leave(session, stored, now=services.clock.now())
    edited = (
        "email,name,organisation,role,topics\r\n"
        f"{address(1)},Renamed Person,NSPCC,,\r\n"  # changed, and this member has left
        # unchanged, though its topics are listed in another order:
        f"{address(3)},Member Number 3,{ORGANISATIONS[3]},Designated safeguarding lead,{TOPICS[3]};{TOPICS[4]};{TOPICS[0]}\r\n"
        "new.person@example.org,New Person,,,\r\n"
    ).encode()
    report = await run_import(services, edited)
    assert (report.imported, report.updated, report.unchanged, report.rejected) == (
        1,
        1,
        1,
        [],
    )
    renamed = await by_email(services, address(1))
    assert (renamed.name, renamed.organisation, renamed.status) == (
        "Renamed Person",
        "NSPCC",
        m.UNSUBSCRIBED,
    )
    assert await member_count(services) == file.good + 1


async def test_import_of_10000_rows_and_its_rerun(services: Services) -> None:
    file = member_csv(10_000, bad=50, delimiter=";", bom=True)
    started = time.perf_counter()
    first = await run_import(services, file.data)
    middle = time.perf_counter()
    second = await run_import(services, file.data)
    print(
        f"\ndomain import of 10,000 rows on {services.engine.dialect.name}: "
        f"first {middle - started:.2f} s, second {time.perf_counter() - middle:.2f} s"
    )
    assert (first.imported, len(first.rejected)) == (9_950, 50)
    assert (
        second.imported,
        second.updated,
        second.unchanged,
        len(second.rejected),
    ) == (0, 0, 9_950, 50)
    check_rejections(second, file)
    assert await member_count(services) == 9_950


async def test_blank_lines_are_skipped_and_line_numbers_stay_true(
    services: Services,
) -> None:
    data = (
        "\ufeffEmail ; Name;organisation;role;topics\n"
        "\n"
        "a@example.org;Ann;;;\n"
        ";;;;\n"
        "bad;Bob;;;\n"
        '"c@example.org";"Carl\nSecond line";;;\n'
        "d@example.org;;;;\n"
        "\n"
    ).encode()
    report = await run_import(services, data)
    assert report.imported == 2
    assert [(r.line, r.reason.split(":")[0]) for r in report.rejected] == [
        (5, "'bad' is not a valid email address"),
        (8, "A name is required."),
    ]
    assert (await by_email(services, "c@example.org")).name == "Carl Second line"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"\xef\xbb\xbf\r\n", "The file is empty"),
        (b"name,organisation\r\nAnn,NSPCC\r\n", "no email column"),
        (b"email,name,phone\r\na@example.org,Ann,0121\r\n", "Unknown column 'phone'"),
    ],
)
async def test_unreadable_files_are_refused_whole(
    services: Services, data: bytes, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        await run_import(services, data)
    assert await member_count(services) == 0


async def test_export_is_safe_to_open_in_a_spreadsheet(services: Services) -> None:
    names = [
        '=HYPERLINK("http://evil.example")',
        "+1+2",
        "-2+3",
        "@SUM(A1)",
        "Plain Name",
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(imports.COLUMNS)
    writer.writerows(
        [f"person{i}@example.org", name, "", "", ""] for i, name in enumerate(names)
    )
    writer.writerow(
        ["+1-2@example.org", "Plus Address", "", "", ""]
    )  # '+' is allowed in an address
    report = await run_import(services, out.getvalue().encode())
    assert report.imported == 6 and report.rejected == []

    async with services.sessions() as session:
        text = await imports.export_members(session)
        as_json = await imports.export_members(session, fmt="json")
        none_left = await imports.export_members(session, status=m.UNSUBSCRIBED)
    exported = list(csv.DictReader(io.StringIO(text)))
    by_address = {r["email"]: r for r in exported}
    for i, name in enumerate(names):
        cell = by_address[f"person{i}@example.org"]["name"]
        assert cell == (name if name == "Plain Name" else f"'{name}")
    assert "'+1-2@example.org" in by_address
    records = json.loads(as_json)
    assert {r["name"] for r in records} == {
        *names,
        "Plus Address",
    }  # JSON keeps values as they are
    assert set(records[0]) == set(imports.EXPORT_COLUMNS)
    assert none_left.splitlines() == [",".join(imports.EXPORT_COLUMNS)]

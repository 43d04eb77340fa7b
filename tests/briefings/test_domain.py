"""Briefings in the domain, on SQLite and PostgreSQL: checks, incremental import, workflow, roles."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain import briefings as b
from bot.domain.briefings.from_session import bulletin_briefing
from bot.domain.forum import bulletin
from bot.errors import InvalidInputError, NotFoundError
from bot.runtime import Services
from tests.briefings.kit import APPROVER, AUTHOR, approved, draft, lessons_file, publish
from tests.forum.sessions_kit import new_session


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"kind": "memo"}, "Unknown kind of briefing 'memo'"),
        ({"title": "  "}, "has no title"),
        (
            {"kind": "learning_lessons", "body": "## Background\n\nText."},
            "needs a section headed '## Key learning'",
        ),
        ({"report_url": "javascript:alert(1)"}, "report link"),
        ({"webinar_url": "www.example.org/w"}, "webinar link"),
        ({"body": "[click](javascript:alert(1))"}, "links must start with https://"),
        ({"body": "[mail](mailto:)"}, "not allowed"),
        (
            {"body": "## What to do\n\n![Chart](https://example.org/c.png)"},
            "Pictures cannot go in a briefing",
        ),
        (
            {"body": "## What to do\n\nSee ![](data:image/png;base64,AAAA) here"},
            "link to the picture",
        ),
    ],
)
def test_check_explains_problems_in_plain_english(
    changes: dict[str, object], problem: str
) -> None:
    with pytest.raises(InvalidInputError, match=problem.replace("(", r"\(")):
        b.check(draft(**changes))


def test_check_tidies_and_accepts_a_good_lessons_briefing() -> None:
    body = "## Key learning\n\n- [Report](https://example.org/r) and mailto:x@y"
    tidy = b.check(draft(kind="learning_lessons", title="  A   title ", body=body))
    assert tidy.title == "A title"
    with pytest.raises(InvalidInputError, match="Unknown topic 'Gangs'"):
        b.check(draft(topics=("Gangs",)), ("Neglect",))


async def test_import_is_incremental_and_protects_approved_text(
    services: Services, tmp_path: Path
) -> None:
    (tmp_path / "Discharge Planning.md").write_text(lessons_file(), encoding="utf-8")
    (tmp_path / "broken.md").write_text("---\nkind: memo\n---\nx", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")

    async def run() -> b.ImportResult:
        async with services.sessions() as session:
            result = await b.import_folder(
                session, tmp_path, topics=(), by=AUTHOR, now=services.clock.now()
            )
            await session.commit()
            return result

    first = await run()
    assert first.created == ["Discharge Planning.md"]
    assert first.failed == [("broken.md", first.failed[0][1])]
    assert "Unknown kind of briefing 'memo'" in first.failed[0][1]
    assert (await run()).unchanged == ["Discharge Planning.md"]

    (tmp_path / "Discharge Planning.md").write_text(lessons_file("New title"), "utf-8")
    assert (await run()).updated == ["Discharge Planning.md"]
    async with services.sessions() as session:
        row = await b.get_briefing(session, "discharge-planning")
        assert (row.title, row.status, row.topics) == (
            "New title",
            b.DRAFT,
            ["Neglect"],
        )
        await b.approve(
            session, row.id or 0, by=APPROVER, roles=("admin",), now=row.updated_at
        )
        await session.commit()

    (tmp_path / "Discharge Planning.md").write_text(lessons_file("Changed"), "utf-8")
    assert (await run()).changed_after_approval == ["Discharge Planning.md"]
    async with services.sessions() as session:
        assert (
            await b.get_briefing(session, "discharge-planning")
        ).title == "New title"


async def test_workflow_roles_and_the_four_eyes_rule(services: Services) -> None:
    now = services.clock.now()
    async with services.sessions() as session:
        row = await b.create(session, b.check(draft()), by=AUTHOR, now=now)
        await session.commit()
        ref = row.id or 0
        with pytest.raises(InvalidInputError, match="only an approved briefing"):
            await b.publish(
                session,
                ref,
                room=services.mailroom,
                roles=("admin",),
                channel=None,
                now=now,
            )
        with pytest.raises(
            InvalidInputError, match="Only an admin or the communications"
        ):
            await b.approve(
                session, ref, by="chair@example.org", roles=("chair",), now=now
            )
        with pytest.raises(InvalidInputError, match="someone else must approve"):
            await b.approve(session, ref, by=AUTHOR.upper(), roles=("admin",), now=now)
        await b.approve(session, ref, by=APPROVER, roles=("communications",), now=now)
        with pytest.raises(InvalidInputError, match="not a draft"):
            await b.approve(session, ref, by=APPROVER, roles=("admin",), now=now)
        edited = await b.edit(
            session, ref, b.check(draft(title="Better")), by=AUTHOR, now=now
        )
        assert (edited.status, edited.approved_by) == (b.DRAFT, None)
        with pytest.raises(InvalidInputError, match="publish briefings"):
            await b.publish(
                session,
                ref,
                room=services.mailroom,
                roles=("learning",),
                channel=None,
                now=now,
            )
        await session.commit()
    with pytest.raises(NotFoundError, match="no briefing 'nope'"):
        async with services.sessions() as session:
            await b.get_briefing(session, "nope")


async def test_published_between_lists_only_published_in_the_period(
    services: Services,
) -> None:
    first = await approved(services, title="First")
    second = await approved(services, title="Second")
    await approved(services, title="Never published")
    withdrawn = await approved(services, title="Withdrawn")
    await publish(services, first.id or 0)
    await publish(services, second.id or 0, minutes=60)
    await publish(services, withdrawn.id or 0, minutes=30)
    start = services.clock.now()
    async with services.sessions() as session:
        await b.withdraw(session, withdrawn.id or 0, roles=("admin",), now=start)
        await session.commit()
        rows = await b.published_between(session, start, start + timedelta(hours=2))
        assert [r.title for r in rows] == ["First", "Second"]
        later = await b.published_between(
            session, start + timedelta(minutes=1), start + timedelta(hours=2)
        )
        assert [r.title for r in later] == ["Second"]
        with pytest.raises(InvalidInputError, match="already withdrawn"):
            await b.withdraw(session, withdrawn.id or 0, roles=("admin",), now=start)


async def test_a_session_bulletin_becomes_a_draft_bulletin_briefing(
    services: Services,
) -> None:
    row = await new_session(services)
    zone, now = services.settings.zone, services.clock.now()
    async with services.sessions() as session:
        with pytest.raises(InvalidInputError, match="no notes yet"):
            await bulletin_briefing(session, row.id or 0, zone=zone, by=AUTHOR, now=now)
        await bulletin.store_notes(
            session, row.id or 0, "Referrals <improve>.", now=now
        )
        made = await bulletin_briefing(
            session, row.id or 0, zone=zone, by=AUTHOR, now=now
        )
        again = await bulletin_briefing(
            session, row.id or 0, zone=zone, by=AUTHOR, now=now
        )
        await session.commit()
    assert made.id == again.id and made.kind == "bulletin" and made.status == b.DRAFT
    assert made.title == f"Forum bulletin: {row.title}"
    assert "Referrals <improve>." in made.body and made.summary.startswith("Notes from")


async def test_whoever_last_changed_a_briefing_cannot_approve_it(
    services: Services,
) -> None:
    """A second approver who edits the author's draft has written it: a third must approve."""
    now, third = services.clock.now(), "third@example.org"
    async with services.sessions() as session:
        row = await b.create(session, b.check(draft()), by=AUTHOR, now=now)
        ref = row.id or 0
        await b.edit(
            session, ref, b.check(draft(title="Mine now")), by=APPROVER, now=now
        )
        for writer in (APPROVER, AUTHOR):
            with pytest.raises(InvalidInputError, match="someone else must approve"):
                await b.approve(session, ref, by=writer, roles=("admin",), now=now)
        done = await b.approve(session, ref, by=third, roles=("admin",), now=now)
        assert (done.status, done.approved_by, done.edited_by) == (
            b.APPROVED,
            third,
            APPROVER,
        )


async def test_the_runner_of_an_import_cannot_approve_what_it_changed(
    services: Services, tmp_path: Path
) -> None:
    file = tmp_path / "Discharge Planning.md"
    file.write_text(lessons_file(), encoding="utf-8")
    async with services.sessions() as session:
        now = services.clock.now()
        await b.import_folder(session, tmp_path, topics=(), by=AUTHOR, now=now)
        file.write_text(lessons_file("Changed"), encoding="utf-8")
        result = await b.import_folder(
            session, tmp_path, topics=(), by=APPROVER, now=now
        )
        assert result.updated == ["Discharge Planning.md"]
        with pytest.raises(InvalidInputError, match="someone else must approve"):
            await b.approve(
                session, "discharge-planning", by=APPROVER, roles=("admin",), now=now
            )

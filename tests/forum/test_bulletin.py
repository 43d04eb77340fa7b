"""Notes and the bulletin: the personal data guard, who receives it, list-mail headers."""

from __future__ import annotations

import pytest

from bot.domain.forum import bulletin
from bot.errors import InvalidInputError
from bot.runtime import Services
from bot.store.tables import Rsvp
from tests.domain.mailbox import outbox_rows, parse, plain_text
from tests.forum.sessions_kit import TOPICS, add_member, new_session, post_of

NOTES = "Referrals improve with <detail>.\n\nNext time: neglect & exploitation."


async def test_bulletin_goes_to_attendees_and_audience_as_list_mail(
    services: Services,
) -> None:
    ann = await add_member(services, "Ann Audience", topics=(TOPICS[0],))
    ben = await add_member(services, "Ben Attended")
    await add_member(services, "Cat Elsewhere")
    row = await new_session(services, audience_topics=(TOPICS[0],))
    assert row.id is not None
    async with services.sessions() as session:
        session.add(
            Rsvp(
                session_id=row.id,
                member_id=ben.id or 0,
                status="attending",
                attended=True,
            )
        )
        with pytest.raises(InvalidInputError, match="no notes yet"):
            await bulletin.send_bulletin(
                session, post_of(services), row.id, now=services.clock.now()
            )
        await bulletin.store_notes(session, row.id, NOTES, now=services.clock.now())
        queued = await bulletin.send_bulletin(
            session, post_of(services), row.id, now=services.clock.now()
        )
        again = await bulletin.send_bulletin(
            session, post_of(services), row.id, now=services.clock.now()
        )
        await session.commit()
    assert (queued, again) == (2, 0)
    rows = await outbox_rows(services)
    assert sorted(r.recipient for r in rows) == sorted(
        [ann.email or "", ben.email or ""]
    )
    message = parse(rows[0].payload)
    assert message["List-Unsubscribe"] and message["List-Unsubscribe-Post"]
    assert (
        str(message["Subject"]) == "Notes from the forum: Practitioner Forum: referrals"
    )
    assert "Referrals improve with <detail>." in plain_text(rows[0].payload)
    html = message.get_body(preferencelist=("html",))
    assert (
        html is not None
        and "Referrals improve with &lt;detail&gt;." in html.get_content()
    )


@pytest.mark.parametrize(
    ("notes", "found"),
    [
        ("Discussed J Smith, 7 years old, at 4 Mill Lane.", "address"),
        ("Child's NHS number 943 476 5919 came up.", "NHS number"),
        ("   ", "empty"),
    ],
)
async def test_notes_that_identify_a_child_are_refused(
    services: Services, notes: str, found: str
) -> None:
    row = await new_session(services)
    async with services.sessions() as session:
        with pytest.raises(InvalidInputError, match=found):
            await bulletin.store_notes(
                session, row.id or 0, notes, now=services.clock.now()
            )
        await session.commit()
    async with services.sessions() as session:
        stored = await session.get(type(row), row.id)
        assert stored is not None and stored.notes is None

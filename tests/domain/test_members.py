"""Member records and membership flows on SQLite and PostgreSQL.

Addresses and profile fields are checked; joining is double opt-in through a signed link that
expires; leaving cancels list mail only; erasure leaves nothing personal and kills old links;
bounces count only after confirmation; admin sign-in links go to admins only and work once.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlmodel import col, select

from bot.domain import admins, membership, privacy
from bot.domain import members as m
from bot.domain.links import Links, fingerprint
from bot.domain.membership import Mailroom
from bot.errors import (
    ExpiredLinkError,
    InvalidInputError,
    InvalidLinkError,
    MemberNotFoundError,
)
from bot.outbox import queue
from bot.runtime import Services, choices_from
from bot.settings import Admin
from bot.store.tables import Bounce, Member, OutboxMessage
from tests.conftest import StepClock
from tests.domain.mailbox import (
    bounce_rows,
    html_text,
    link,
    member_rows,
    outbox_rows,
    parse,
    plain_text,
    queue_list_mail,
    queue_test_message,
    recipient,
    reload,
    subject,
    token,
)
from tests.domain.member_files import ORGANISATIONS, TOPICS

WORDING = "I agree to the partnership keeping my details to send me forum emails."
CHOICES = m.Choices(
    organisations=ORGANISATIONS,
    topics=TOPICS,
    sectors=("Health", "Police"),
    consent_wording=WORDING,
)
ANN = "ann@example.org"
BOB = "bob@example.org"
PROFILE = m.Profile(
    name="Ann Example", organisation=ORGANISATIONS[0], topics=(TOPICS[0],)
)


@pytest.fixture
def room(services: Services) -> Mailroom:
    return replace(services.mailroom, choices=CHOICES)


def base(services: Services) -> str:
    return services.links.base_url


async def join(
    services: Services,
    room: Mailroom,
    address: str = ANN,
    profile: m.Profile = PROFILE,
    method: str = "web",
) -> Member:
    async with services.sessions() as session:
        return await membership.request_join(
            session,
            room,
            email=address,
            profile=profile,
            method=method,
            now=services.clock.now(),
        )


async def confirm(services: Services, room: Mailroom, url: str) -> Member:
    async with services.sessions() as session:
        return await membership.confirm_join(
            session, room, token=token(url), now=services.clock.now()
        )


async def add(
    services: Services, room: Mailroom, address: str, name: str = "Someone"
) -> Member:
    async with services.sessions() as session:
        member, created = await membership.add_member(
            session,
            room,
            email=address,
            profile=m.Profile(name=name),
            now=services.clock.now(),
        )
    assert created
    return member


async def leave(services: Services, member: Member) -> bool:
    async with services.sessions() as session:
        fresh = await session.get(Member, member.id)
        assert fresh is not None
        return await membership.leave(session, fresh, now=services.clock.now())


async def confirm_url(services: Services, address: str = ANN) -> str:
    """The link in the newest confirmation email to `address`."""
    rows = [
        r
        for r in await outbox_rows(services, address)
        if "/confirm/" in plain_text(r.payload)
    ]
    assert rows, f"no confirmation email to {address}"
    return link(rows[-1].payload, base(services), "confirm")


def flip(text: str, index: int) -> str:
    """`text` with one base64url character changed (never to itself)."""
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


# --- addresses and profiles (no database) --------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ann@example.org", "ann@example.org"),
        ("Ann.Example@Example.ORG", "ann.example@example.org"),
        ("  ann@example.org \t\r\n", "ann@example.org"),
        ("o'brien+forum@nhs.example.net", "o'brien+forum@nhs.example.net"),
    ],
)
def test_normalise_email_trims_and_lowers(raw: str, expected: str) -> None:
    assert m.normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "bad",
        "a@b",
        "a b@example.org",
        "x@example.org\r\nBcc: y@z",
        "x@example.org\nBcc: y@example.org",
        "a@b@example.org",
        "Ann <ann@example.org>",
        "ann@example.org,bob@example.org",
        "zoë@example.org",  # non-ASCII needs SMTPUTF8, which relays need not support
        f"{'a' * 65}@example.org",  # local part over 64 characters
        f"{'a' * 288}@example.org",  # 300 characters
    ],
)
def test_normalise_email_rejects_malformed_addresses(raw: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        m.normalise_email(raw)
    assert caught.value.field == "email"


def test_clean_profile_turns_control_characters_into_spaces() -> None:
    cleaned = m.clean_profile(
        m.Profile(
            name="Ann\r\nBcc: evil@example.org",
            organisation=f" {ORGANISATIONS[1]} ",
            role="Lead\tnurse\x00\x1b[31m",
        ),
        CHOICES,
    )
    assert cleaned.name == "Ann Bcc: evil@example.org"
    assert cleaned.organisation == ORGANISATIONS[1]
    assert cleaned.role == "Lead nurse [31m"
    assert not any(c in (cleaned.name + (cleaned.role or "")) for c in "\r\n\t\x00\x1b")


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        (m.Profile(name="N" * 101), "name"),
        (m.Profile(name="Ann", role="R" * 101), "role"),
        (m.Profile(name="Ann", sector="S" * 51), "sector"),
        (m.Profile(name=""), "name"),
        (m.Profile(name=" \r\n\t "), "name"),
        (m.Profile(name="Ann", organisation="Ministry of Magic"), "organisation"),
        (m.Profile(name="Ann", topics=(TOPICS[0], "Quidditch")), "topics"),
        (m.Profile(name="Ann", sector="Astronomy"), "sector"),
    ],
)
def test_clean_profile_rejects_oversized_and_unknown_values(
    profile: m.Profile, field: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        m.clean_profile(profile, CHOICES)
    assert caught.value.field == field


def test_clean_profile_accepts_values_at_the_limits() -> None:
    cleaned = m.clean_profile(m.Profile(name="N" * 100, role="R" * 100), CHOICES)
    assert (len(cleaned.name), len(cleaned.role or "")) == (100, 100)


def test_without_configured_lists_any_organisation_and_topic_is_accepted() -> None:
    cleaned = m.clean_profile(
        m.Profile(name="Ann", organisation="Anywhere", topics=("B", "A")), m.Choices()
    )
    assert (cleaned.organisation, cleaned.topics) == ("Anywhere", ("B", "A"))
    with pytest.raises(InvalidInputError) as caught:
        m.clean_profile(m.Profile(name="Ann", organisation="O" * 151), m.Choices())
    assert caught.value.field == "organisation"


def test_topics_keep_the_configured_order_and_channels_are_known_ones() -> None:
    cleaned = m.clean_profile(
        m.Profile(
            name="Ann",
            topics=(TOPICS[3], TOPICS[0], TOPICS[3]),
            channels=("slack", "fax"),
        ),
        CHOICES,
    )
    assert cleaned.topics == (TOPICS[0], TOPICS[3])
    assert cleaned.channels == ("slack",)
    assert m.clean_profile(m.Profile(name="Ann", channels=()), CHOICES).channels == (
        "email",
    )


# --- joining -------------------------------------------------------------------------------


async def test_join_makes_a_pending_member_and_queues_one_confirmation(
    services: Services, room: Mailroom
) -> None:
    member = await join(services, room, address=" Ann@Example.ORG ")
    assert (member.email, member.status, member.name) == (ANN, m.PENDING, "Ann Example")
    assert member.consent_at is None and member.confirmed_at is None
    assert member.topics == [TOPICS[0]] and member.organisation == ORGANISATIONS[0]

    (row,) = await outbox_rows(services)
    assert (row.recipient, row.status, row.campaign) == (ANN, queue.PENDING, None)
    message = parse(row.payload)
    assert message["To"].addresses[0].display_name == "Ann Example"
    assert recipient(row.payload) == ANN
    assert subject(row.payload).startswith("Please confirm you want to join")
    url = link(row.payload, base(services), "confirm")
    assert url in html_text(row.payload)
    assert WORDING in plain_text(row.payload)
    assert services.links.read_member("confirm", token(url)) == (
        member.id,
        fingerprint(ANN),
    )


async def test_joining_again_never_duplicates_and_sends_at_most_one_email_an_hour(
    services: Services, room: Mailroom, clock: StepClock
) -> None:
    first = await join(services, room)
    clock.advance(minutes=20)
    again = await join(
        services, room, address="ANN@example.org", profile=m.Profile(name="Ann E.")
    )
    assert again.id == first.id and again.status == m.PENDING
    assert len(await member_rows(services)) == 1
    assert len(await outbox_rows(services)) == 1  # same hour: same key, nothing new

    clock.advance(hours=1)
    await join(services, room)
    assert len(await member_rows(services)) == 1
    assert [r.recipient for r in await outbox_rows(services)] == [ANN, ANN]


async def test_joining_when_already_active_sends_a_reminder_and_keeps_the_membership(
    services: Services, room: Mailroom, clock: StepClock
) -> None:
    await join(services, room)
    active = await confirm(services, room, await confirm_url(services))
    clock.advance(days=3)
    before = len(await outbox_rows(services))

    returned = await join(
        services, room, profile=m.Profile(name="Someone Else"), method="email command"
    )
    assert returned.status == m.ACTIVE
    now = await reload(services, active)
    assert (now.status, now.consent_at, now.consent_method, now.name) == (
        m.ACTIVE,
        active.consent_at,
        "web",
        "Ann Example",
    )
    rows = await outbox_rows(services)
    assert len(rows) == before + 1
    reminder = rows[-1].payload
    assert subject(reminder).startswith("You are already a member")
    assert "/confirm/" not in plain_text(reminder)
    assert link(reminder, base(services), "preferences")
    assert len(await member_rows(services)) == 1


async def test_confirm_activates_and_records_consent_once(
    services: Services, room: Mailroom, clock: StepClock
) -> None:
    pending = await join(services, room)
    url = await confirm_url(services)
    clock.advance(hours=2)
    confirmed_at = clock.now()

    member = await confirm(services, room, url)
    stored = await reload(services, member)
    assert stored.status == m.ACTIVE
    assert (stored.consent_at, stored.consent_method, stored.consent_wording) == (
        confirmed_at,
        "web",
        WORDING,
    )
    assert (
        stored.confirmed_at == confirmed_at and stored.created_at == pending.created_at
    )
    welcome = (await outbox_rows(services))[-1].payload
    assert subject(welcome).startswith("Welcome to")
    preferences = link(welcome, base(services), "preferences")
    assert services.links.read_member("preferences", token(preferences)) == (
        member.id,
        fingerprint(ANN),
    )

    clock.advance(days=1)
    again = await confirm(services, room, url)
    assert again.status == m.ACTIVE
    assert (await reload(services, member)).consent_at == confirmed_at
    assert len(await outbox_rows(services)) == 2  # one confirmation, one welcome


async def test_tampered_or_misdirected_links_change_nothing(
    services: Services, room: Mailroom
) -> None:
    member = await join(services, room)
    good = token(await confirm_url(services))
    payload, stamp, signature = good.split(".")
    secret = services.settings.secret_key.get_secret_value()
    forged = Links(base(services), secret + "-but-another").member_url(
        "confirm", member
    )
    unsubscribe = services.links.member_url("unsubscribe", member)
    bad_tokens = [
        flip(good, 0),  # payload edited
        f"{payload}.{stamp}.{flip(signature, 0)}",  # signature edited
        f"{flip(payload, len(payload) // 2)}.{stamp}.{signature}",
        good[:-3],  # copied incompletely
        "",
        "not-a-token",
        token(forged),  # signed with another key
        token(unsubscribe),  # made for another purpose
    ]
    for bad in bad_tokens:
        async with services.sessions() as session:
            with pytest.raises(InvalidLinkError) as caught:
                await membership.confirm_join(
                    session, room, token=bad, now=services.clock.now()
                )
        assert type(caught.value) is InvalidLinkError, bad
    assert (await reload(services, member)).status == m.PENDING
    assert len(await outbox_rows(services)) == 1


async def test_expired_confirmation_link_changes_nothing(
    services: Services, room: Mailroom
) -> None:
    with time_machine.travel(datetime.now(UTC) - timedelta(days=8)):
        old = await join(services, room)
    with time_machine.travel(datetime.now(UTC) - timedelta(days=6)):
        recent = await join(services, room, address=BOB, profile=m.Profile(name="Bob"))

    async with services.sessions() as session:
        with pytest.raises(ExpiredLinkError):
            await membership.confirm_join(
                session,
                room,
                token=token(await confirm_url(services)),
                now=services.clock.now(),
            )
    assert (await reload(services, old)).status == m.PENDING
    assert (
        await confirm(services, room, await confirm_url(services, BOB))
    ).status == m.ACTIVE
    assert (await reload(services, recent)).status == m.ACTIVE


# --- leaving, re-joining and preferences ---------------------------------------------------


async def test_leave_cancels_queued_list_mail_but_not_replies(
    services: Services, room: Mailroom, clock: StepClock
) -> None:
    ann = await add(services, room, ANN, "Ann")
    bob = await add(services, room, BOB, "Bob")
    await queue_list_mail(services, ann, "update-2026-03")
    await queue_list_mail(services, bob, "update-2026-03")
    await queue_test_message(services, ANN, "reply:ann")
    clock.advance(minutes=5)

    assert await leave(services, ann) is True
    stored = await reload(services, ann)
    assert (stored.status, stored.left_at) == (m.UNSUBSCRIBED, clock.now())
    statuses = {
        (r.recipient, r.campaign): r.status for r in await outbox_rows(services)
    }
    assert statuses == {
        (ANN, "update-2026-03"): queue.CANCELLED,
        (BOB, "update-2026-03"): queue.PENDING,
        (ANN, None): queue.PENDING,
    }
    assert await leave(services, ann) is False
    assert (await reload(services, bob)).status == m.ACTIVE


async def test_rejoining_after_leaving_works(
    services: Services, room: Mailroom, clock: StepClock
) -> None:
    first = await join(services, room)
    old_link = await confirm_url(services)
    await confirm(services, room, old_link)
    clock.advance(minutes=30)
    await leave(services, first)

    async with services.sessions() as session:
        with pytest.raises(InvalidLinkError):  # a used link cannot bring a leaver back
            await membership.confirm_join(
                session, room, token=token(old_link), now=clock.now()
            )
    assert (await reload(services, first)).status == m.UNSUBSCRIBED

    clock.advance(hours=1)
    again = await join(services, room)
    assert (again.id, again.status) == (first.id, m.PENDING)
    confirmations = [
        r
        for r in await outbox_rows(services)
        if subject(r.payload).startswith("Please confirm")
    ]
    assert len(confirmations) == 2  # a new email for the new request
    new_link = link(confirmations[-1].payload, base(services), "confirm")
    clock.advance(minutes=10)
    back = await reload(services, await confirm(services, room, new_link))
    assert (back.status, back.consent_at, back.left_at) == (m.ACTIVE, clock.now(), None)
    assert len(await member_rows(services)) == 1


async def test_update_preferences_saves_cleaned_choices(
    services: Services, room: Mailroom, clock: StepClock
) -> None:
    member = await add(services, room, ANN, "Ann")
    clock.advance(hours=1)
    chosen = m.Profile(
        name="Ann\nNewname",
        organisation=ORGANISATIONS[2],
        role="Safeguarding lead",
        topics=(TOPICS[2], TOPICS[0]),
        channels=("slack", "email"),
    )
    async with services.sessions() as session:
        fresh = await session.get(Member, member.id)
        assert fresh is not None
        assert (
            await membership.update_preferences(
                session, room, fresh, chosen, now=clock.now()
            )
            is True
        )
        assert (
            await membership.update_preferences(
                session, room, fresh, chosen, now=clock.now()
            )
            is False
        )
        with pytest.raises(InvalidInputError):
            await membership.update_preferences(
                session,
                room,
                fresh,
                replace(chosen, organisation="Ministry of Magic"),
                now=clock.now(),
            )
    stored = await reload(services, member)
    assert (stored.name, stored.organisation, stored.role) == (
        "Ann Newname",
        ORGANISATIONS[2],
        "Safeguarding lead",
    )
    assert (stored.topics, stored.channels) == (
        [TOPICS[0], TOPICS[2]],
        ["email", "slack"],
    )
    assert stored.updated_at == clock.now() and stored.status == m.ACTIVE


# --- GDPR: export and erasure --------------------------------------------------------------


async def _record_bounce(
    services: Services, address: str, at: datetime, code: int = 550
) -> None:
    async with services.sessions() as session:
        session.add(
            Bounce(
                recipient=address,
                code=code,
                reason=f"{code} 5.1.1 mailbox unavailable",
                created_at=at,
            )
        )
        await session.commit()


async def test_export_member_data_includes_record_messages_and_bounces(
    services: Services, room: Mailroom, clock: StepClock
) -> None:
    await join(services, room)
    url = await confirm_url(services)
    await confirm(services, room, url)
    await _record_bounce(services, ANN, clock.now())
    await add(services, room, BOB, "Bob")

    data = await _export(services, " ANN@example.org")
    json.dumps(data)  # JSON-ready throughout
    assert data["email"] == ANN
    assert data["member"]["email"] == ANN and data["member"]["name"] == "Ann Example"
    assert (
        data["member"]["status"] == m.ACTIVE
        and data["member"]["consent_wording"] == WORDING
    )
    assert data["member"]["consent_at"] == clock.now().isoformat()
    assert [x["status"] for x in data["messages"]] == [queue.PENDING, queue.PENDING]
    assert url in plain_text(
        data["messages"][0]["content"].encode()
    )  # the message as stored
    assert data["bounces"] == [
        {
            "code": 550,
            "reason": "550 5.1.1 mailbox unavailable",
            "at": clock.now().isoformat(),
        }
    ]
    assert "bob" not in json.dumps(data)

    async with services.sessions() as session:
        await membership.send_help(
            session, room, email="stranger@example.org", now=clock.now()
        )
    stranger = await _export(services, "stranger@example.org")
    assert stranger["member"] is None and len(stranger["messages"]) == 1
    with pytest.raises(MemberNotFoundError):
        await _export(services, "nobody@example.org")


async def _export(services: Services, address: str) -> dict[str, Any]:
    async with services.sessions() as session:
        return await privacy.export_member_data(session, address)


async def test_erase_member_leaves_nothing_personal_and_kills_old_links(
    services: Services, room: Mailroom, clock: StepClock
) -> None:
    await join(services, room)
    links = {"confirm": await confirm_url(services)}
    ann = await confirm(services, room, links["confirm"])
    links |= {
        p: services.links.member_url(p, ann) for p in ("preferences", "unsubscribe")
    }
    async with services.sessions() as session:
        stored = await session.get(Member, ann.id)
        assert stored is not None
        stored.slack_user_id, stored.role, stored.sector = "U0123ABC", "Nurse", "Health"
        await session.commit()
    await _record_bounce(services, ANN, clock.now())
    await queue_list_mail(services, ann, "update-2026-03")
    bob = await add(services, room, BOB, "Bob")
    await queue_list_mail(services, bob, "update-2026-03")
    await _record_bounce(services, BOB, clock.now())
    clock.advance(days=1)

    async with services.sessions() as session:
        erased = await privacy.erase_member(
            session, " Ann@Example.org", now=clock.now()
        )
    assert (erased.members, erased.messages, erased.bounces) == (1, 3, 1)

    gone = await reload(services, ann)
    personal = (
        "email",
        "name",
        "organisation",
        "role",
        "sector",
        "slack_user_id",
        "consent_wording",
    )
    assert {f: getattr(gone, f) for f in personal} == dict.fromkeys(personal)
    assert (gone.topics, gone.channels, gone.status, gone.left_at) == (
        [],
        [],
        m.ERASED,
        clock.now(),
    )
    assert (
        await outbox_rows(services, ANN) == []
        and await bounce_rows(services, ANN) == []
    )
    assert [r.recipient for r in await outbox_rows(services)] == [BOB]
    assert len(await bounce_rows(services, BOB)) == 1
    for purpose, url in links.items():
        async with services.sessions() as session:
            with pytest.raises(InvalidLinkError):
                await membership.member_from_link(
                    session, services.links, purpose, token(url)
                )
    async with services.sessions() as session:
        with pytest.raises(InvalidLinkError):
            await membership.confirm_join(
                session, room, token=token(links["confirm"]), now=clock.now()
            )
        with pytest.raises(MemberNotFoundError):
            await privacy.export_member_data(session, ANN)
        with pytest.raises(MemberNotFoundError):
            await privacy.erase_member(session, ANN, now=clock.now())
        counts = await m.count_members(session)
        listed = await m.list_members(session)
    assert counts["status"][m.ERASED] == 1 and counts["status"][m.ACTIVE] == 1
    assert [x.email for x in listed] == [BOB]

    fresh = await join(
        services, room
    )  # the address is free again: a new member, new links
    assert fresh.id != ann.id and fresh.status == m.PENDING


# --- bounces -------------------------------------------------------------------------------


async def test_apply_bounces_counts_only_bounces_since_confirmation(
    services: Services, room: Mailroom, clock: StepClock
) -> None:
    joined = clock.now()
    ann = await add(services, room, ANN, "Ann")
    pending = await join(
        services, room, address="carl@example.org", profile=m.Profile(name="Carl")
    )
    left = await add(services, room, "dora@example.org", "Dora")
    await leave(services, left)
    await _record_bounce(
        services, ANN, joined - timedelta(days=30)
    )  # an old address owner's bounce
    await _record_bounce(services, ANN, joined - timedelta(seconds=1))
    for address in ("carl@example.org", "dora@example.org"):
        for _ in range(3):
            await _record_bounce(services, address, joined + timedelta(minutes=1))
    clock.advance(hours=1)
    await _record_bounce(services, ANN, clock.now())

    async def apply() -> int:
        async with services.sessions() as session:
            return await m.apply_bounces(session, threshold=2, now=clock.now())

    assert await apply() == 0
    stored = await reload(services, ann)
    assert (stored.status, stored.bounce_count) == (m.ACTIVE, 1)

    clock.advance(hours=1)
    await _record_bounce(services, ANN, clock.now())
    assert await apply() == 1
    stored = await reload(services, ann)
    assert (stored.status, stored.bounce_count, stored.updated_at) == (
        m.BOUNCED,
        2,
        clock.now(),
    )
    assert (await reload(services, pending)).status == m.PENDING
    assert (await reload(services, left)).status == m.UNSUBSCRIBED
    assert await apply() == 0  # bounced members are not marked again


# --- admin sign-in -------------------------------------------------------------------------

CHAIR = "chair@partnership.example.org"


@pytest.fixture
def admin_room(services: Services) -> Mailroom:
    settings = services.settings.model_copy(
        update={
            "admins": [
                Admin(email=CHAIR, roles=["chair", "admin"]),
                Admin(email="comms@partnership.example.org", roles=["communications"]),
            ]
        }
    )
    return Mailroom(
        services.sender,
        services.renderer,
        services.links,
        choices_from(settings),
        settings.admin_roles,
    )


async def _request_sign_in(
    services: Services, room: Mailroom, address: str
) -> list[OutboxMessage]:
    async with services.sessions() as session:
        await admins.request_sign_in(
            session, room, email=address, now=services.clock.now()
        )
    return await outbox_rows(services)


async def _sign_in(
    services: Services, room: Mailroom, url: str
) -> tuple[str, tuple[str, ...]]:
    async with services.sessions() as session:
        return await admins.complete_sign_in(
            session, room, token=token(url), now=services.clock.now()
        )


async def test_sign_in_link_goes_only_to_admins_and_works_once(
    services: Services, admin_room: Mailroom, clock: StepClock
) -> None:
    await add(services, admin_room, ANN, "Ann")  # a member, but not an admin
    assert await _request_sign_in(services, admin_room, ANN) == []
    assert await _request_sign_in(services, admin_room, "stranger@example.org") == []

    (row,) = await _request_sign_in(
        services, admin_room, " Chair@Partnership.Example.org"
    )
    assert recipient(row.payload) == CHAIR and row.campaign is None
    url = link(row.payload, base(services), "admin/sign-in")
    clock.advance(minutes=1)
    assert await _sign_in(services, admin_room, url) == (CHAIR, ("chair", "admin"))
    with pytest.raises(InvalidLinkError):
        await _sign_in(services, admin_room, url)

    clock.advance(minutes=1)
    (*_, second) = await _request_sign_in(
        services, admin_room, "comms@partnership.example.org"
    )
    comms = link(second.payload, base(services), "admin/sign-in")
    assert await _sign_in(services, admin_room, comms) == (
        "comms@partnership.example.org",
        ("communications",),
    )


async def test_sign_in_refuses_tampered_expired_and_revoked_links(
    services: Services, admin_room: Mailroom, clock: StepClock
) -> None:
    with time_machine.travel(datetime.now(UTC) - timedelta(minutes=31)):
        (old,) = await _request_sign_in(services, admin_room, CHAIR)
    with pytest.raises(ExpiredLinkError):
        await _sign_in(
            services, admin_room, link(old.payload, base(services), "admin/sign-in")
        )

    clock.advance(minutes=1)
    (_, row) = await _request_sign_in(services, admin_room, CHAIR)
    url = link(row.payload, base(services), "admin/sign-in")
    member = await add(services, admin_room, ANN, "Ann")
    for bad in (
        flip(url, len(url) - 30),
        url[:-4],
        services.links.member_url("confirm", member),
    ):
        with pytest.raises(InvalidLinkError) as caught:
            await _sign_in(services, admin_room, bad)
        assert type(caught.value) is InvalidLinkError

    revoked = replace(admin_room, admins={})
    with pytest.raises(InvalidLinkError):
        await _sign_in(services, revoked, url)
    assert await _sign_in(services, admin_room, url) == (
        CHAIR,
        ("chair", "admin"),
    )  # not spent by the refusal
    with pytest.raises(InvalidInputError):
        await _request_sign_in(
            services, admin_room, "chair@partnership.example.org\r\nBcc: x@example.org"
        )


async def test_count_and_list_members_filter_by_status_organisation_and_topic(
    services: Services, room: Mailroom
) -> None:
    async with services.sessions() as session:
        for i, (org, topics) in enumerate(
            [
                (ORGANISATIONS[0], (TOPICS[0],)),
                (ORGANISATIONS[0], (TOPICS[0], TOPICS[1])),
                (ORGANISATIONS[1], ()),
            ]
        ):
            await membership.add_member(
                session,
                room,
                email=f"m{i}@example.org",
                profile=m.Profile(name=f"Member {i}", organisation=org, topics=topics),
                now=services.clock.now(),
            )
    await join(
        services, room, address="pending@example.org", profile=m.Profile(name="Pending")
    )
    async with services.sessions() as session:
        counts = await m.count_members(session)
        by_topic = await m.list_members(session, topic=TOPICS[1])
        by_org = await m.list_members(session, organisation=ORGANISATIONS[0])
        searched = await m.list_members(session, search="MEMBER 2")
        pending = await m.list_members(session, status=m.PENDING)
    assert counts["status"] == {
        m.PENDING: 1,
        m.ACTIVE: 3,
        m.UNSUBSCRIBED: 0,
        m.BOUNCED: 0,
        m.ERASED: 0,
    }
    assert counts["organisation"] == {ORGANISATIONS[0]: 2, ORGANISATIONS[1]: 1}
    assert counts["topic"] == {TOPICS[0]: 2, TOPICS[1]: 1}
    assert [x.email for x in by_topic] == ["m1@example.org"]
    assert [x.email for x in by_org] == ["m0@example.org", "m1@example.org"]
    assert [x.email for x in searched] == ["m2@example.org"]
    assert [x.email for x in pending] == ["pending@example.org"]
    assert all(isinstance(x, Member) for x in by_org)
    assert await _no_outbox_for("m0@example.org", services)


async def _no_outbox_for(address: str, services: Services) -> bool:
    async with services.sessions() as session:
        rows = (
            await session.exec(
                select(OutboxMessage).where(col(OutboxMessage.recipient) == address)
            )
        ).all()
    return not rows


async def test_a_sign_in_link_used_twice_at_once_signs_in_once(
    services: Services, admin_room: Mailroom
) -> None:
    (row,) = await _request_sign_in(services, admin_room, CHAIR)
    url = link(row.payload, base(services), "admin/sign-in")
    results = await asyncio.gather(
        _sign_in(services, admin_room, url),
        _sign_in(services, admin_room, url),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["InvalidLinkError", "tuple"]
    assert (CHAIR, ("chair", "admin")) in results

"""Joining through the modal: creates an active member, or links the one with the same address."""

from __future__ import annotations

from typing import Any

from sqlmodel import func, select

from bot.domain import members as m
from bot.store.tables import Member
from tests.slack.harness import (
    KIM,
    SAM,
    SlackBot,
    button_ids,
    picked,
    state,
    ticked,
    typed,
)
from tests.slack.test_commands import add


def join_form(*, consent: bool = True, name: str = "Sam Okafor") -> dict[str, Any]:
    return state(
        name=typed(name),
        organisation=picked("Northshire Police"),
        role=typed("Detective sergeant"),
        topics=ticked("Exploitation", "Neglect", kind="multi_static_select"),
        channels=ticked("slack", "email"),
        consent=ticked("yes") if consent else ticked(),
    )


async def members(slackbot: SlackBot) -> int:
    async with slackbot.services.sessions() as session:
        return (await session.exec(select(func.count()).select_from(Member))).one()


async def test_joining_creates_an_active_member_linked_to_slack(
    slackbot: SlackBot,
) -> None:
    response = await slackbot.view_submission(SAM, "join", join_form())

    assert response.status_code == 200
    assert response.text == ""  # the modal closes
    async with slackbot.services.sessions() as session:
        member = await m.get_member(session, SAM.email)
    assert member.status == m.ACTIVE
    assert member.consent_method == "slack"
    assert member.consent_wording == slackbot.services.settings.consent_wording
    assert member.slack_user_id == SAM.id
    assert (member.name, member.organisation, member.role) == (
        "Sam Okafor",
        "Northshire Police",
        "Detective sergeant",
    )
    assert sorted(member.topics) == ["Exploitation", "Neglect"]
    assert sorted(member.channels) == ["email", "slack"]

    # The App Home shows the change.
    (published,) = await slackbot.wait_for("views.publish")
    assert published.args["user_id"] == SAM.id
    assert button_ids(published.args["view"]) == ["open_prefs", "leave"]
    # Slack verified the address: no confirmation email.
    assert await slackbot.outbox() == []


async def test_joining_links_the_member_with_the_same_address(
    slackbot: SlackBot,
) -> None:
    existing = await add(slackbot.services, KIM, organisation="Northshire Council")
    assert existing.slack_user_id is None

    response = await slackbot.view_submission(KIM, "join", join_form(name="Kim Lee"))

    assert response.status_code == 200
    assert await members(slackbot) == 1  # linked, not duplicated
    async with slackbot.services.sessions() as session:
        linked = await m.get_member(session, KIM.email)
    assert linked.id == existing.id
    assert linked.slack_user_id == KIM.id
    assert linked.status == m.ACTIVE
    await slackbot.wait_for("views.publish")


async def test_joining_without_consent_shows_the_error_in_the_modal(
    slackbot: SlackBot,
) -> None:
    response = await slackbot.view_submission(SAM, "join", join_form(consent=False))
    await slackbot.settle()

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"consent"}
    assert await members(slackbot) == 0
    assert slackbot.api.calls_to("views.publish") == []


async def test_an_unacceptable_field_is_shown_against_its_block(
    slackbot: SlackBot,
) -> None:
    form = join_form()
    form["organisation"] = {"value": picked("Not on the list")}

    response = await slackbot.view_submission(SAM, "join", form)
    await slackbot.settle()

    body = response.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"organisation"}
    assert await members(slackbot) == 0


async def test_the_prefs_modal_saves_a_members_choices(slackbot: SlackBot) -> None:
    await add(slackbot.services, KIM)
    form = state(
        name=typed("Kim Lee-Hart"),
        organisation=picked("Northshire NHS Trust"),
        topics=ticked("Domestic abuse", kind="multi_static_select"),
        channels=ticked("slack"),
    )

    response = await slackbot.view_submission(KIM, "prefs", form)

    assert response.status_code == 200 and response.text == ""
    async with slackbot.services.sessions() as session:
        member = await m.get_member(session, KIM.email)
    assert (member.name, member.organisation) == (
        "Kim Lee-Hart",
        "Northshire NHS Trust",
    )
    assert (member.topics, member.channels) == (["Domestic abuse"], ["slack"])
    await slackbot.wait_for("views.publish")

"""The App Home tab: membership status with the right buttons, and the admin corner for admins."""

from __future__ import annotations

from typing import Any

from bot.domain import members as m
from bot.store.tables import Member
from tests.slack.harness import CHAIR, KIM, SAM, SlackBot, User, button_ids
from tests.slack.test_commands import add


def opened(user: User, tab: str = "home") -> dict[str, Any]:
    return {
        "type": "app_home_opened",
        "user": user.id,
        "channel": f"D{user.id}",
        "tab": tab,
        "event_ts": "1700000000.000100",
    }


def shown(view: dict[str, Any]) -> str:
    return "\n".join(
        str((block.get("text") or {}).get("text", "")) for block in view["blocks"]
    )


async def home_of(slackbot: SlackBot, user: User, count: int = 1) -> dict[str, Any]:
    response = await slackbot.event(opened(user))
    assert response.status_code == 200
    published = await slackbot.wait_for("views.publish", count)
    assert published[-1].args["user_id"] == user.id
    view: dict[str, Any] = published[-1].args["view"]
    assert view["type"] == "home"
    return view


async def test_someone_not_yet_a_member_is_offered_to_join(slackbot: SlackBot) -> None:
    view = await home_of(slackbot, SAM)

    assert "not a member of the Practitioner Forum yet" in shown(view)
    assert button_ids(view) == ["open_join"]
    assert "*Admin*" not in shown(view)


async def test_a_member_sees_their_topics_and_can_change_or_leave(
    slackbot: SlackBot,
) -> None:
    await add(slackbot.services, KIM, topics=("Neglect", "Exploitation"))

    view = await home_of(slackbot, KIM)

    assert f"You are a member ({KIM.email}). Topics: Neglect, Exploitation." in shown(
        view
    )
    assert button_ids(view) == ["open_prefs", "leave"]
    assert "*Admin*" not in shown(view)


async def test_an_admin_sees_the_admin_corner(slackbot: SlackBot) -> None:
    await add(slackbot.services, KIM)
    await add(slackbot.services, SAM)

    view = await home_of(slackbot, CHAIR)

    assert "*Admin*\nMembers: 2 active." in shown(view)
    assert button_ids(view) == ["open_join", "admin_announce"]


async def test_the_home_buttons_work(slackbot: SlackBot) -> None:
    await slackbot.action(SAM, "open_join")
    (join,) = await slackbot.wait_for("views.open")
    assert join.args["view"]["callback_id"] == "join"

    await add(slackbot.services, KIM)
    await slackbot.action(KIM, "open_prefs")
    prefs = (await slackbot.wait_for("views.open", 2))[-1]
    assert prefs.args["view"]["callback_id"] == "prefs"

    await slackbot.action(KIM, "leave", block_id="membership")
    (after,) = await slackbot.wait_for("views.publish")  # the home tab redrawn
    assert button_ids(after.args["view"]) == ["open_join"]
    assert "Your membership is *unsubscribed*" in shown(after.args["view"])
    async with slackbot.services.sessions() as session:
        member: Member = await m.get_member(session, KIM.email)
    assert member.status == m.UNSUBSCRIBED


async def test_the_messages_tab_publishes_nothing(slackbot: SlackBot) -> None:
    await slackbot.event(opened(KIM, tab="messages"))
    await slackbot.settle()
    assert slackbot.api.calls_to("views.publish") == []

"""The admin feeds page through the real app: roles, CSRF, adding, polling, choosing."""

from __future__ import annotations

import re

import httpx

from bot.domain import feeds
from tests.polls.test_web import CHAIR, COMMS, Site, csrf, sign_in
from tests.servers.feeds import FeedServer


async def post(site: Site, path: str, **data: str) -> httpx.Response:
    token = csrf(await site.http.get("/admin/feeds"))
    return await site.http.post(path, data={"csrf_token": token, **data})


async def test_comms_add_poll_and_choose_items(site: Site, served: FeedServer) -> None:
    await sign_in(site, COMMS)
    added = await post(site, "/admin/feeds", name="Panel", url=served.url("panel.atom"))
    assert added.status_code == 303
    await post(site, "/admin/feeds", name="Broken <b>", url=served.url("broken.xml"))

    assert (await post(site, "/admin/feeds/poll")).status_code == 303
    page = (await site.http.get("/admin/feeds")).text
    assert "Broken &lt;b&gt;" in page and "<b>" not in page
    assert "not valid RSS or Atom" in page
    assert "Child Safeguarding Practice Review Panel: annual report 2025" in page

    [item_id] = re.findall(r'id="item-(\d+)"', page)[:1]
    chosen = await post(site, f"/admin/feeds/items/{item_id}/choose")
    assert chosen.status_code == 303
    async with site.services.sessions() as session:
        assert [i.id for i in await feeds.chosen_items(session)] == [int(item_id)]
    assert 'aria-label="Take out:' in (await site.http.get("/admin/feeds")).text


async def test_bad_address_is_shown_next_to_the_field(
    site: Site, served: FeedServer
) -> None:
    await sign_in(site, COMMS)
    refused = await post(site, "/admin/feeds", name="Bad", url="javascript:alert(1)")
    assert refused.status_code == 400
    assert "starting with http:// or" in refused.text
    await post(site, "/admin/feeds", name="Panel", url=served.url("panel.atom"))
    twice = await post(site, "/admin/feeds", name="Again", url=served.url("panel.atom"))
    assert twice.status_code == 400 and "already follows" in twice.text


async def test_pause_and_remove_need_the_csrf_token(
    site: Site, served: FeedServer
) -> None:
    await sign_in(site, COMMS)
    await post(site, "/admin/feeds", name="Panel", url=served.url("panel.atom"))
    async with site.services.sessions() as session:
        [feed] = await feeds.list_feeds(session)
    forged = await site.http.post(f"/admin/feeds/{feed.id}/remove", data={})
    assert forged.status_code == 303
    await post(site, f"/admin/feeds/{feed.id}/pause")
    async with site.services.sessions() as session:
        [paused] = await feeds.list_feeds(session)
        assert not paused.active
    await post(site, f"/admin/feeds/{feed.id}/remove")
    async with site.services.sessions() as session:
        assert await feeds.list_feeds(session) == []


async def test_other_roles_and_strangers_are_turned_away(site: Site) -> None:
    stranger = await site.http.get("/admin/feeds")
    assert (stranger.status_code, stranger.headers["location"]) == (
        303,
        "/admin/sign-in",
    )
    await sign_in(site, CHAIR)
    refused = await site.http.get("/admin/feeds")
    assert refused.status_code == 400
    assert "Only admins and the communications team" in refused.text
    assert "Follow a feed" not in refused.text

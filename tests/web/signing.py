"""Signing in to the admin pages as a browser does, for any web test: the one helper.

The sign-in page's form, the emailed link (the newest sign-in email to that address, so a
test may sign in more than once), the confirm page's POST.
"""

from __future__ import annotations

import re

import httpx

from bot.runtime import Services
from tests.domain.mailbox import link, outbox_rows, token

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(page: httpx.Response) -> str:
    """The CSRF token of the (first) form on a page."""
    found = TOKEN.search(page.text)
    assert found is not None, "the form has no CSRF token"
    return found.group(1)


async def sign_in(
    http: httpx.AsyncClient, services: Services, address: str
) -> httpx.Response:
    """Sign in as `address` (a configured admin), dropping any earlier sign-in; the
    confirm POST's response (a 303 to the admin's first page)."""
    http.cookies.clear()
    form = csrf_token(await http.get("/admin/sign-in"))
    sent = await http.post(
        "/admin/sign-in", data={"email": address, "csrf_token": form}
    )
    assert sent.status_code == 200, sent.text
    mail = (await outbox_rows(services, address))[-1]
    url = link(mail.payload, services.links.base_url, "admin/sign-in")
    path = f"/admin/sign-in/{token(url)}"
    done = await http.post(path, data={"csrf_token": csrf_token(await http.get(path))})
    assert done.status_code == 303, done.text
    return done

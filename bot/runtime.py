"""The composition root: opens every long-lived resource once and hands out one `Services`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.clock import SystemClock
from bot.domain.conversation import Conversation
from bot.domain.feeds.fetching import FeedFetcher
from bot.domain.knowledge.store import KnowledgeBase
from bot.domain.knowledge.terms import Terms
from bot.domain.links import Links
from bot.domain.members import Choices
from bot.domain.membership import Mailroom
from bot.domain.outgoing import Sender
from bot.domain.polls import Draw
from bot.domain.ports import Clock, Transport
from bot.feeds_http import HttpFeedFetcher
from bot.mail.mailer import SmtpMailer, SmtpOptions
from bot.outbox.worker import DeliveryWorker, RetryPolicy
from bot.rendering import Renderer
from bot.settings import Settings
from bot.slack.chat import SlackChat
from bot.slack.poll_blocks import drawer
from bot.store.db import make_engine, make_sessions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    """Everything a channel, job or command needs, opened once per process."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    renderer: Renderer
    clock: Clock
    sender: Sender
    transports: Mapping[str, Transport]
    links: Links
    mailroom: Mailroom
    conversation: Conversation
    knowledge: KnowledgeBase
    feeds: FeedFetcher
    slack: AsyncWebClient | None = None

    @property
    def poll_draw(self) -> Draw:
        """How a poll's Slack post is drawn (the Slack adapter's Block Kit, in the
        partnership's zone). Built here, where the parts are put together, so the web
        pages, commands and jobs that announce or close polls need not import bot.slack."""
        return drawer(self.settings.zone)

    def delivery_worker(self, **overrides: object) -> DeliveryWorker:
        """A worker over this process's transports, tuned by settings."""
        s = self.settings
        options: dict[str, object] = {
            "batch_size": s.delivery_batch_size,
            "lease": timedelta(seconds=s.delivery_lease_seconds),
            "poll_seconds": s.delivery_poll_seconds,
            **overrides,
        }
        policy = RetryPolicy(
            s.delivery_max_attempts,
            s.delivery_backoff_base_seconds,
            s.delivery_backoff_max_seconds,
        )
        return DeliveryWorker(
            sessions=self.sessions,
            transports=self.transports,
            clock=self.clock,
            policy=policy,
            **options,  # type: ignore[arg-type]
        )


def sender_from(settings: Settings) -> Sender:
    return Sender(
        name=settings.sender_name,
        address=str(settings.sender_address),
        list_id=settings.effective_list_id,
        list_name=f"{settings.partnership_name} {settings.sender_name}",
        domain=str(settings.sender_address).rpartition("@")[2],
        id_secret=settings.secret_key.get_secret_value(),
    )


def slack_client(settings: Settings) -> AsyncWebClient | None:
    """Slack's Web API client, or None when Slack is off (no bot token)."""
    if settings.slack_bot_token is None:
        return None
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=str(settings.slack_api_url),
    )


def terms_file(settings: Settings) -> Path:
    """The partnership's terms file, else the sample shipped inside the package."""
    if settings.kb_terms_file.is_file():
        return settings.kb_terms_file
    packaged = Path(__file__).parent / "knowledge-terms.toml"
    return (
        packaged
        if packaged.is_file()
        else Path(__file__).parent.parent / "config" / "knowledge-terms.toml"
    )


def links_for(settings: Settings) -> Links:
    return Links(
        str(settings.base_url).rstrip("/"), settings.secret_key.get_secret_value()
    )


def choices_from(settings: Settings) -> Choices:
    return Choices(
        organisations=tuple(settings.organisations),
        topics=tuple(settings.topics),
        sectors=tuple(settings.sectors),
        consent_wording=settings.consent_wording,
    )


def renderer_for(settings: Settings) -> Renderer:
    return Renderer(
        globals={
            "partnership": settings.partnership_name,
            "partnership_short": settings.partnership_short_name,
            "base_url": str(settings.base_url).rstrip("/"),
            "contacts": settings.contacts,
        }
    )


@asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    transports: Mapping[str, Transport] | None = None,
) -> AsyncIterator[Services]:
    """Open the database and transports; close them when the block ends.

    Tests pass their own `clock` or `transports`; everything else comes from settings.
    """
    async with AsyncExitStack() as stack:
        engine = make_engine(settings.effective_database_url)
        stack.push_async_callback(engine.dispose)
        slack = slack_client(settings)
        if transports is None:
            mailer = SmtpMailer(SmtpOptions.from_settings(settings))
            stack.push_async_callback(mailer.aclose)
            transports = {mailer.channel: mailer}
            if slack is not None:
                transports = {**transports, "slack": SlackChat(slack)}
        feeds = HttpFeedFetcher()
        stack.push_async_callback(feeds.aclose)
        renderer, sender, links = (
            renderer_for(settings),
            sender_from(settings),
            links_for(settings),
        )
        services = Services(
            settings=settings,
            engine=engine,
            sessions=make_sessions(engine),
            renderer=renderer,
            clock=clock or SystemClock(),
            sender=sender,
            transports=transports,
            links=links,
            conversation=Conversation(tuple(settings.contacts)),
            knowledge=KnowledgeBase(Terms.load(terms_file(settings))),
            feeds=feeds,
            slack=slack,
            mailroom=Mailroom(
                sender, renderer, links, choices_from(settings), settings.admin_roles
            ),
        )
        token = _current.set(services)
        stack.callback(_current.reset, token)
        yield services


class _Holder:
    """Where jobs find the process's services (APScheduler calls them with ids, not objects)."""

    def __init__(self) -> None:
        self._stack: list[Services] = []

    def set(self, services: Services) -> int:
        self._stack.append(services)
        return len(self._stack)

    def reset(self, token: int) -> None:
        del self._stack[token - 1 :]

    def get(self) -> Services:
        if not self._stack:
            raise RuntimeError(
                "no services are open in this process (open_services was not entered)"
            )
        return self._stack[-1]


_current = _Holder()


def current_services() -> Services:
    """The services of the running process; for jobs, the one place that looks them up."""
    return _current.get()

"""Settings: built once at start-up from config/forumbot.toml and FORUMBOT_* variables, then passed down.

Precedence, highest first: values passed to `Settings(...)`, environment variables
(`FORUMBOT_SMTP_HOST`, ...), `config/.env`, the TOML file named by `FORUMBOT_CONFIG_FILE`
(default `config/forumbot.toml`), then the defaults below. Nothing here runs at import time.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from bot.errors import ConfigError

DEV_SECRET = "dev-only-secret-change-me"
DEFAULT_CONFIG_FILE = Path("config/forumbot.toml")


class Contact(BaseModel):
    """A contact shown to practitioners, such as the children's social care front door."""

    model_config = ConfigDict(extra="forbid")

    name: str
    phone: str | None = None
    email: EmailStr | None = None
    url: AnyHttpUrl | None = None
    purpose: str = ""
    urgent: bool = False


Role = Literal["admin", "chair", "communications", "learning"]


class Admin(BaseModel):
    """Someone who may sign in to the admin pages, and what they may do there."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    roles: list[Role] = ["admin"]


DEFAULT_CONSENT = (
    "I agree to the partnership keeping my name, work email, organisation, role and chosen "
    "topics to send me Practitioner Forum invitations, learning briefings, surveys and the "
    "newsletter. I can leave or change my choices at any time from the link in every email."
)
DEFAULT_SECTORS = [
    "Children's social care",
    "Education",
    "Health",
    "Police",
    "Probation and youth justice",
    "Voluntary and community",
    "Other",
]


class Settings(BaseSettings):
    """Every setting forumbot reads. `config/example.env` documents each one with its default."""

    model_config = SettingsConfigDict(
        env_prefix="FORUMBOT_",
        env_file="config/.env",
        extra="forbid",
        env_ignore_empty=True,
        validate_default=True,
    )

    # --- the running instance
    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str | None = None
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    base_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8000")
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8000, ge=0, le=65535)
    timezone: str = "Europe/London"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # --- the partnership (sample values live in config/forumbot.toml)
    partnership_name: str = "Example Safeguarding Children Partnership"
    partnership_short_name: str = "ESCP"
    sender_name: str = "Practitioner Forum"
    sender_address: EmailStr = "forum@example.org"
    bounce_address: EmailStr | None = None
    list_id: str | None = None
    contacts: list[Contact] = []
    organisations: list[str] = []
    topics: list[str] = []
    sectors: list[str] = DEFAULT_SECTORS
    consent_wording: str = DEFAULT_CONSENT
    admins: list[Admin] = []

    # --- membership and incoming mail
    bounce_threshold: int = Field(default=3, ge=1)
    inbound_enabled: bool = True
    inbound_host: str = "127.0.0.1"
    inbound_port: int = Field(default=2525, ge=0, le=65535)
    bot_address: EmailStr | None = None

    # --- outgoing mail
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    smtp_pool_size: int = Field(default=4, ge=1, le=64)
    smtp_rate_per_second: float = Field(default=25.0, ge=0)
    catcher_port: int = Field(default=1025, ge=0, le=65535)

    # --- the knowledge base
    kb_terms_file: Path = Path("config/knowledge-terms.toml")

    # --- Slack (off unless a bot token is set)
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: AnyHttpUrl = AnyHttpUrl("https://slack.com/api/")
    slack_forum_channel: str | None = None

    # --- the Practitioner Forum
    forum_fixed_agenda: list[str] = [
        "Open questions and answers",
        "Learning and development update",
    ]
    forum_session_minutes: int = Field(default=90, ge=15, le=480)
    forum_default_capacity: int | None = Field(default=100, ge=1)
    forum_join_url: str | None = None
    forum_reminder_minutes: list[int] = [7 * 24 * 60, 24 * 60, 15]
    forum_reminder_check_minutes: int = Field(default=5, ge=1, le=60)
    forum_feedback_delay_minutes: int = Field(default=60, ge=0)

    # --- briefings, feeds and the newsletter
    briefings_dir: Path = Path("config/briefings")
    feeds_poll_minutes: int = Field(default=60, ge=5, le=1440)
    feeds_timeout_seconds: float = Field(default=20.0, gt=0, le=120)
    newsletter_schedule: str = "0 9 1 * *"  # crontab, local time: 09:00 on the 1st
    click_tracking: bool = False

    # --- training and surveys
    surveys_dir: Path = Path("config/surveys")
    evaluation_delay_minutes: int = Field(default=120, ge=0)
    evaluation_reminder_days: list[int] = [3]

    # --- the outbox and its delivery worker
    delivery_batch_size: int = Field(default=100, ge=1, le=1000)
    delivery_lease_seconds: float = Field(default=120.0, gt=0)
    delivery_poll_seconds: float = Field(default=1.0, gt=0)
    delivery_max_attempts: int = Field(default=8, ge=1)
    delivery_backoff_base_seconds: float = Field(default=30.0, ge=0)
    delivery_backoff_max_seconds: float = Field(default=3600.0, ge=0)
    outbox_retention_days: int = Field(default=30, ge=1)

    # --- the scheduler
    scheduler_enabled: bool = True
    scheduler_misfire_grace_seconds: int = Field(default=3600, ge=1)
    scheduler_lease_seconds: float = Field(default=30.0, gt=0)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("FORUMBOT_CONFIG_FILE", DEFAULT_CONFIG_FILE))
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
        )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (try 'Europe/London')"
            ) from None
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite", "postgresql", "postgres:")):
            raise ValueError("only sqlite:/// and postgresql:// URLs are supported")
        return value

    @model_validator(mode="after")
    def _safe_for_production(self) -> Settings:
        """Refuse placeholder secrets and the local mail catcher outside development."""
        if self.environment == "production":
            if self.secret_key.get_secret_value() == DEV_SECRET:
                raise ValueError(
                    "FORUMBOT_SECRET_KEY must be set to a long random value in production"
                )
            if not self.smtp_host:
                raise ValueError(
                    "FORUMBOT_SMTP_HOST must name your SMTP relay in production"
                )
        if len(self.secret_key.get_secret_value()) < 16:
            raise ValueError("FORUMBOT_SECRET_KEY must be at least 16 characters")
        if self.smtp_rate_per_second and (
            2 * self.delivery_batch_size / self.smtp_rate_per_second
            > self.delivery_lease_seconds / 2
        ):
            raise ValueError(
                "FORUMBOT_DELIVERY_LEASE_SECONDS is too short for the batch size at this rate: a "
                "batch would outlive its lease and be sent twice (raise the lease or the rate, or "
                "lower FORUMBOT_DELIVERY_BATCH_SIZE)"
            )
        if self.slack_bot_token and not (
            self.slack_signing_secret or self.slack_app_token
        ):
            raise ValueError(
                "FORUMBOT_SLACK_BOT_TOKEN is set but neither FORUMBOT_SLACK_SIGNING_SECRET (HTTP "
                "mode) nor FORUMBOT_SLACK_APP_TOKEN (Socket Mode) is"
            )
        if self.smtp_password and not self.smtp_username:
            raise ValueError(
                "FORUMBOT_SMTP_PASSWORD is set but FORUMBOT_SMTP_USERNAME is not"
            )
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def effective_database_url(self) -> str:
        """The configured database, or SQLite in the data directory."""
        return (
            self.database_url
            or f"sqlite:///{(self.data_dir / 'forumbot.db').resolve()}"
        )

    @property
    def uses_catcher(self) -> bool:
        """With no relay configured, mail goes to the local catcher that `serve` runs."""
        return not self.smtp_host

    @property
    def envelope_sender(self) -> str:
        return str(self.bounce_address or self.sender_address)

    @property
    def effective_list_id(self) -> str:
        domain = str(self.sender_address).rpartition("@")[2]
        return self.list_id or f"practitioner-forum.{domain}"

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def admin_roles(self) -> dict[str, tuple[str, ...]]:
        return {str(a.email).lower(): tuple(a.roles) for a in self.admins}

    @property
    def caught_mail_dir(self) -> Path:
        return self.data_dir / "caught-mail"


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning any problem into a `ConfigError` of one clear line.

    Raises:
        ConfigError: A value is malformed, a TOML file is broken, or options contradict.
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError("; ".join(_describe(err) for err in exc.errors())) from None
    except tomllib.TOMLDecodeError as exc:
        path = os.environ.get("FORUMBOT_CONFIG_FILE", str(DEFAULT_CONFIG_FILE))
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    except SettingsError as exc:
        raise ConfigError(str(exc).splitlines()[0]) from None


def _describe(err: ErrorDetails) -> str:
    """'FORUMBOT_SMTP_PORT: Input should be a valid integer (got 'abc')'."""
    field = ".".join(str(part) for part in err["loc"])
    message = err["msg"].removeprefix("Value error, ")
    if not field:
        return message
    name = f"FORUMBOT_{field.upper()}" if "." not in field else field
    got = err.get("input")
    shown = (
        ""
        if got is None or isinstance(got, dict | list)
        else f" (got {str(got)[:60]!r})"
    )
    return f"{name}: {message}{shown}"

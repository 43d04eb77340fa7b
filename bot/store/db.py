"""Engines, sessions and schema upgrades for SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS = Path(__file__).parent / "migrations"


def driver_urls(url: str) -> tuple[str, str]:
    """(async URL, sync URL) for one configured database URL.

    Users write plain `sqlite:///...` or `postgresql://...`; we pick the drivers: aiosqlite and
    pysqlite for SQLite, psycopg 3 (which does both) for PostgreSQL.
    """
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.get_backend_name() == "sqlite":
        return (
            parsed.set(drivername="sqlite+aiosqlite").render_as_string(
                hide_password=False
            ),
            parsed.set(drivername="sqlite").render_as_string(hide_password=False),
        )
    psycopg = parsed.set(drivername="postgresql+psycopg").render_as_string(
        hide_password=False
    )
    return psycopg, psycopg


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run beside the one writer; busy_timeout makes writers queue, not fail."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows are overwritten with zeros, so erasing a person leaves no trace in the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


# The driver's own transaction handling is switched off, so that we can begin every
# transaction with BEGIN IMMEDIATE (SQLAlchemy's documented SQLite recipe).
SQLITE_CONNECT = {"timeout": 30, "isolation_level": None}


def _begin_immediate(connection: Any) -> None:
    """Take the write lock at the start of a transaction, not at its first write.

    In WAL mode, a transaction that reads and then writes fails at once with "database is
    locked" if another connection wrote in between (its snapshot is stale, and SQLite does
    not wait). Beginning IMMEDIATE makes such transactions queue behind the busy timeout.
    """
    if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_events(engine: Engine) -> None:
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _begin_immediate)


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str) -> AsyncEngine:
    """The async engine the application uses."""
    async_url, _ = driver_urls(url)
    if async_url.startswith("sqlite"):
        _prepare_sqlite_file(async_url)
        engine = create_async_engine(async_url, connect_args=SQLITE_CONNECT)
        _sqlite_events(engine.sync_engine)
        return engine
    return create_async_engine(
        async_url, pool_size=5, max_overflow=5, pool_pre_ping=True
    )


def make_sync_engine(url: str) -> Engine:
    """A sync engine, for Alembic and APScheduler's job store, which are synchronous."""
    _, sync_url = driver_urls(url)
    if sync_url.startswith("sqlite"):
        _prepare_sqlite_file(sync_url)
        engine = create_engine(sync_url, connect_args=SQLITE_CONNECT)
        _sqlite_events(engine)
        return engine
    return create_engine(sync_url, pool_pre_ping=True)


def make_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = url
    return config


def upgrade_schema(url: str) -> None:
    """Create or upgrade the schema to the newest migration; safe to run any number of times."""
    command.upgrade(alembic_config(url), "head")


def schema_revision(url: str) -> str | None:
    """The migration the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    engine = make_sync_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def dialect_name(session: AsyncSession) -> str:
    """'sqlite' or 'postgresql': for the few statements (upserts) that differ between them."""
    bind = session.get_bind()
    return bind.dialect.name


async def scrub_deleted(session: AsyncSession) -> None:
    """Make deletions final on disk: on SQLite, copy the write-ahead log back and empty it.

    With secure_delete on, deleted rows are zeroed in the database file; the log can still
    hold old copies of pages until it is checkpointed and truncated.
    """
    if dialect_name(session) != "sqlite" or not isinstance(session.bind, AsyncEngine):
        return
    # A checkpoint cannot run inside a transaction: use a connection in autocommit.
    async with session.bind.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

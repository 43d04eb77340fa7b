"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import bot.store.tables  # noqa: F401  (registers the tables)
from bot.store.db import make_sync_engine, upgrade_schema


def _ours(_obj: object, name: str | None, type_: str, *_rest: object) -> bool:
    """APScheduler's own table is not ours to compare."""
    return not (type_ == "table" and name == "apscheduler_jobs")


def _differences(url: str) -> list[Any]:
    engine = make_sync_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "include_object": _ours},
            )
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


def test_models_and_migrations_agree(database_url: str) -> None:
    upgrade_schema(database_url)
    assert _differences(database_url) == [], (
        "tables.py and the migrations differ: add a migration "
        "(alembic revision --autogenerate) for the change"
    )

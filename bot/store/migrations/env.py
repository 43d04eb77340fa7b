"""Alembic environment: runs migrations on the URL that `bot.store.db.upgrade_schema` passes."""

from alembic import context
from sqlmodel import SQLModel

import bot.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.store.db import make_sync_engine

# APScheduler owns its job table; autogenerate must neither create nor drop it.
FOREIGN_TABLES = {"apscheduler_jobs"}


def include_object(
    obj: object,  # noqa: ARG001  (Alembic passes all five)
    name: str | None,
    type_: str,
    reflected: bool,  # noqa: ARG001
    compare_to: object,  # noqa: ARG001
) -> bool:
    return not (type_ == "table" and name in FOREIGN_TABLES)


def run_migrations_online() -> None:
    url = context.config.attributes.get(
        "database_url"
    ) or context.config.get_main_option("sqlalchemy.url")
    engine = make_sync_engine(str(url))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=SQLModel.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=include_object,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()

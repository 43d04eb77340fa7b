"""What the training tests share: the shipped sample files, and importing bytes in one go."""

from __future__ import annotations

from pathlib import Path

from bot.domain.training.importing import TrainingImport, import_training
from bot.runtime import Services
from bot.store.tables import Member

SAMPLES = Path(__file__).parents[2] / "config" / "samples"
EVENTS = (SAMPLES / "training-events.csv").read_bytes()
BOOKINGS = (SAMPLES / "training-bookings.csv").read_bytes()


async def load(
    services: Services, data: bytes, kind: str | None = None
) -> TrainingImport:
    async with services.sessions() as session:
        return await import_training(
            session, data, kind=kind, zone=services.settings.zone
        )


async def add_member(
    services: Services, email: str, name: str, *, slack: str | None = None
) -> Member:
    async with services.sessions() as session:
        row = Member(
            email=email,
            name=name,
            status="active",
            slack_user_id=slack,
            channels=["email", "slack"] if slack else ["email"],
        )
        session.add(row)
        await session.commit()
        return row

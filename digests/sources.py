"""Where a digest comes from: the database and the municipality's places (light to import:
the bot builds it at start, long before pandas is needed)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from storage.places.areas import Areas
from storage.places.gazetteer import Gazetteer


@dataclass(frozen=True)
class Sources:
    """Where a lägesbild comes from: the database and the municipality's places."""

    engine: Engine
    tz: ZoneInfo
    gazetteer: Gazetteer
    areas: Areas | None = None

"""What a lägesbild asks the database: one query per list, however long the list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from digests.digest import Digester
from digests.periods import latest_complete
from digests.sources import Sources
from storage.kinds import DigestKind
from tests.digests.conftest import NOW, TZ


def test_the_interventions_observations_are_read_in_one_query_per_list(town: Sources) -> None:
    """The demo's open interventions (and the one evaluated in October) get their
    observations in one query per list, however many there are, not one each."""
    ran: list[str] = []

    def note(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        ran.append(statement)

    period = latest_complete(DigestKind.MONTHLY, NOW, TZ)
    event.listen(town.engine, "before_cursor_execute", note)
    try:
        made = Digester(town).make(period, language="sv", fmt="telegram", now=NOW)
    finally:
        event.remove(town.engine, "before_cursor_execute", note)
    assert "Insatser att följa upp" in made.text and "Insatser utvärderade" in made.text
    assert sum("interventionlink" in sql and sql.startswith("SELECT") for sql in ran) == 2

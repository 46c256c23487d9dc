"""The invariants the fuzz tests check can fail: each broken on purpose is reported."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, update

from storage.database.engine import transaction
from storage.kinds import Step
from storage.reports.observations import submit_draft
from storage.tables import Draft, Observation, Photo, utcnow
from tests.factories import make_complete_draft, make_user, seed_categories
from tests.fuzz.invariants import Invariants


def file_one(engine: Engine) -> Invariants:
    """A database with one filed observation (and its reporter's next draft), all sound."""
    with transaction(engine) as session:
        seed_categories(session)
        user = make_user(session)
        assert user.id is not None
        state = make_complete_draft(session, user)
        submit_draft(session=session, user_id=user.id, key=state.key, tz=ZoneInfo("UTC"))
        make_complete_draft(session, user)
    invariants = Invariants(engine)
    assert invariants.broken() == []
    return invariants


def test_broken_observations_drafts_and_photos_are_reported(engine: Engine) -> None:
    invariants = file_one(engine)
    with transaction(engine) as session:
        session.execute(
            update(Observation).values(description="ab", occurred_at=utcnow() + timedelta(1))
        )
        session.execute(update(Draft).values(photo_count=2, place_source=None, description=None))
        observation = session.get_one(Observation, 1)
        session.add(Photo(observation_id=observation.id, file_id="f", file_unique_id="u",
                          sha256="0", path="/nonexistent/x.jpg"))  # fmt: skip
    broken = "\n".join(invariants.broken())
    for expected in ("observation with a bad field", "photo_count", "photo file", "no place",
                     "no description"):  # fmt: skip
        assert expected in broken, broken


def test_a_draft_at_the_summary_without_a_time_is_reported(engine: Engine) -> None:
    invariants = file_one(engine)
    with transaction(engine) as session:
        session.execute(update(Draft).values(occurred_at=None, step=Step.SUMMARY))
    assert any("summary without a time" in line for line in invariants.broken())

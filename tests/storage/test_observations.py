from __future__ import annotations

import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from storage.database.engine import transaction
from storage.references import format_reference
from storage.reports.drafts import DraftProblem
from storage.reports.observations import next_reference_number, submit_draft
from storage.tables import Draft, Observation
from tests.factories import make_complete_draft, make_user, seed_categories

TZ = ZoneInfo("Europe/Stockholm")


def test_reference_format() -> None:
    assert format_reference(2026, 42) == "EST-2026-0042"
    assert format_reference(2026, 12345) == "EST-2026-12345"


def test_numbers_run_per_year(engine: Engine) -> None:
    with transaction(engine) as session:
        assert [next_reference_number(session=session, year=2026) for _ in range(3)] == [1, 2, 3]
        assert next_reference_number(session=session, year=2027) == 1


def test_submit_files_once_and_removes_the_draft(engine: Engine) -> None:
    with transaction(engine) as session:
        seed_categories(session)
        user = make_user(session)
        key = make_complete_draft(session, user).key
    now = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    with transaction(engine) as session:
        filed = submit_draft(session=session, user_id=user.id, key=key, tz=TZ, now=now)
    with transaction(engine) as session:
        again = submit_draft(session=session, user_id=user.id, key=key, tz=TZ, now=now)
        assert session.exec(select(Draft)).all() == []
        stored = session.exec(select(Observation)).all()
    assert filed.observation.reference == "EST-2026-0001" and not filed.already_filed
    assert again.already_filed and again.observation.id == filed.observation.id
    assert len(stored) == 1
    assert stored[0].occurred_at == datetime(2026, 11, 21, 21, 30, tzinfo=UTC)
    assert stored[0].place_name == "Kvarnparken"


def test_submit_of_an_unknown_draft_is_refused(engine: Engine) -> None:
    with transaction(engine) as session:
        seed_categories(session)
        user = make_user(session)
    with transaction(engine) as session, pytest.raises(DraftProblem):
        submit_draft(session=session, user_id=user.id, key="nope", tz=TZ)


def test_concurrent_sends_never_share_a_number(engine: Engine) -> None:
    people = 16
    with transaction(engine) as session:
        seed_categories(session)
        users = [make_user(session, telegram_id=5000 + i) for i in range(people)]
        keys = [make_complete_draft(session, user).key for user in users]
    barrier = threading.Barrier(people)
    errors: list[BaseException] = []

    def send(index: int) -> None:
        barrier.wait()
        try:
            with transaction(engine) as session:
                submit_draft(session=session, user_id=users[index].id, key=keys[index], tz=TZ)
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with transaction(engine) as session:
        numbers = sorted(o.number for o in session.exec(select(Observation)).all())
    assert numbers == list(range(1, people + 1))


def test_old_handled_update_ids_are_forgotten(engine: Engine) -> None:
    from datetime import timedelta

    from storage.database.handled_updates import claim_update, forget_old_updates

    with transaction(engine) as session:
        assert claim_update(session=session, update_id=1)
    later = datetime.now(UTC) + timedelta(days=3)
    with transaction(engine) as session:
        assert claim_update(session=session, update_id=2)
        assert forget_old_updates(session=session, older_than=timedelta(days=2), now=later) == 2
        assert claim_update(session=session, update_id=1), "forgotten, so claimable again"

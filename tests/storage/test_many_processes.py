"""What several processes on one PostgreSQL database rely on, with the race made certain:
one transaction holds its work uncommitted while a second (another thread, as another
process would) tries the same, and must wait for it and then see what it did.

PostgreSQL only: SQLite lets one writer in at a time, so there is no such race there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from storage.coordination.subscriptions import record_digest
from storage.database.engine import transaction
from storage.database.leases import claim_lease, held_by_others, release_lease
from storage.kinds import DigestKind
from storage.outbox import claim_lane, release_lane, waiting_chats
from storage.reports.photos import StoredFile, attach_photo
from storage.tables import CoordinatorGroup, Photo, SentDigest
from tests.factories import make_user, seed_categories

BLOCKED_S = 0.5  # long enough for the second transaction to be waiting on the first


@pytest.fixture(autouse=True)
def postgres_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a race between two writers: PostgreSQL only")


def while_first_holds(engine: Engine, first: Callable[..., Any], second: Callable[..., Any]) -> Any:
    """Run `first` in a transaction left open, start `second` in its own transaction in
    another thread, check that it waits, then commit `first`; returns what `second` gave."""
    outcome: dict[str, Any] = {}

    def run_second() -> None:
        try:
            with transaction(engine) as session:
                outcome["value"] = second(session)
        except Exception as error:  # noqa: BLE001 - the test reports it
            outcome["error"] = error

    with transaction(engine) as session:
        first(session)
        thread = threading.Thread(target=run_second)
        thread.start()
        time.sleep(BLOCKED_S)
        assert thread.is_alive(), "the second transaction did not wait for the first"
    thread.join(10)
    assert "error" not in outcome, outcome["error"]
    return outcome["value"]


def test_a_digest_made_by_two_workers_at_once_is_recorded_once_without_an_error(
    engine: Engine,
) -> None:
    with transaction(engine) as session:
        group = CoordinatorGroup(chat_id=-100555, title="Samordning")
        session.add(group)

    def record(session: Any) -> bool:
        return record_digest(
            session=session, group=group, kind=DigestKind.DAILY, period="2026-11-21",
            messages=["Dagsöversikt"],
        )  # fmt: skip

    assert while_first_holds(engine, record, record) is False
    with transaction(engine) as session:
        assert len(session.exec(select(SentDigest)).all()) == 1


def test_two_photos_of_one_person_at_once_both_count(engine: Engine) -> None:
    with transaction(engine) as session:
        seed_categories(session)
        user_id = make_user(session).id

    def attach(name: str) -> Callable[[Any], Any]:
        stored = StoredFile(name * 8, f"/photos/{name}.jpg", 10, 10)
        return lambda session: attach_photo(
            session=session, user_id=user_id, file_id=name, file_unique_id=name,
            stored=stored, media_group_id="album",
        )  # fmt: skip

    state, announce = while_first_holds(engine, attach("a"), attach("b"))
    assert state.photo_count == 2 and announce is False  # the first one told about the album
    with transaction(engine) as session:
        assert len(session.exec(select(Photo)).all()) == 2


def test_a_lane_is_held_by_one_process_and_kept_for_its_window(engine: Engine) -> None:
    def take(holder: str) -> Callable[[Any], bool]:
        return lambda session: claim_lane(session=session, chat_id=-1001, holder=holder, ttl_s=30)

    assert while_first_holds(engine, take("a:8443"), take("b:8444")) is False
    with transaction(engine) as session:
        assert held_by_others(session=session, prefix="chat:", holder="b:8444") == {"chat:-1001"}
        assert waiting_chats(session=session, holder="b:8444") == []
        release_lane(session=session, chat_id=-1001, holder="a:8443", keep_s=60)
        assert not take("b:8444")(session)  # the window is a's to keep
        assert take("a:8443")(session)  # a may go on at once
        release_lane(session=session, chat_id=-1001, holder="a:8443")
        assert take("b:8444")(session)


def test_an_expired_lease_goes_to_the_next_claimant(engine: Engine) -> None:
    with transaction(engine) as session:
        assert claim_lease(session=session, name="x", holder="dead", ttl_s=0)
        assert claim_lease(session=session, name="x", holder="alive", ttl_s=30)
        release_lease(session=session, name="x", holder="dead")  # not its own any more
        assert not claim_lease(session=session, name="x", holder="dead", ttl_s=30)

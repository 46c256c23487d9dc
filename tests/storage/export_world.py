"""A seeded database for the export tests: observations of every kind over October 2026
(across the change from summer time), in several areas and one without a point, with
photos, comments, statuses and interventions, all made through storage's own functions."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import select

from storage.coordination.interventions import record_intervention
from storage.coordination.statuses import add_comment, change_status
from storage.database.engine import transaction
from storage.kinds import PlaceSource, Role, Status
from storage.places.areas import Areas
from storage.places.gazetteer import PlaceValue
from storage.reports.draft_places import set_place
from storage.reports.drafts import start_draft
from storage.reports.observations import submit_draft
from storage.tables import Category, Comment, Intervention, InterventionLink, Observation, Photo
from tests.factories import make_user, seed_categories

TZ = ZoneInfo("Europe/Stockholm")
CODES = ("graffiti", "vandalism", "littering", "drugs", "fire", "unsafe_place")
# A point in each example area of Kvarnby, and one outside them all.
POINTS = {
    "Centrum": (59.127, 15.145), "Norr": (59.135, 15.14), "Söder": (59.12, 15.15),
    "Väster": (59.12, 15.13), "Öster": (59.127, 15.156), None: (59.2, 15.3),
}  # fmt: skip
GROUP_CHAT, OTHER_CHAT = -100_300_001, -100_300_002
FIRST = datetime(2026, 10, 1, tzinfo=TZ)


@dataclass(frozen=True)
class Seeded:
    company_id: int
    town_id: int


def seed_export_world(engine: Engine, data_dir: Path, count: int = 40, seed: int = 6) -> Seeded:
    """`count` observations over October 2026 (random but repeatable)."""
    rng = random.Random(seed)
    areas = Areas.from_geojson()
    with transaction(engine) as session:
        seed_categories(session)
        anna = make_user(session, full_name="Anna Åberg")
        bo = make_user(session, full_name="Bo Öst", organisation="Kvarnbyhem")
        erik = make_user(session, full_name="Erik Ek", role=Role.COORDINATOR)
        assert anna.id and bo.id and erik.id
        ids = []
        for number in range(count):
            who = rng.choice([anna, bo])
            assert who.id is not None
            occurred = FIRST + timedelta(minutes=rng.randrange(31 * 24 * 60))
            start_draft(
                session=session, user_id=who.id, category_code=rng.choice(CODES),
                description=f"Sett nr {number}: krossad ruta vid förskolan, åäö",
                occurred_at=occurred.astimezone(UTC),
            )  # fmt: skip
            area = rng.choice(list(POINTS))
            if number % 9 == 4:  # typed text that could not be placed
                place = PlaceValue(PlaceSource.TEXT, "bakom ladan")
            else:
                latitude, longitude = POINTS[area]
                place = PlaceValue(PlaceSource.PIN, "", latitude, longitude, f"Plats {number}")
            state = set_place(session=session, user_id=who.id, place=place)
            filed = submit_draft(
                session=session, user_id=who.id, key=state.key, tz=TZ, areas=areas,
                now=occurred.astimezone(UTC) + timedelta(minutes=rng.randrange(1, 600)),
            )  # fmt: skip
            observation_id = filed.observation.id
            assert observation_id is not None
            ids.append(observation_id)
            status = rng.choice(list(Status))
            if status is not Status.NEW:
                change_status(session=session, observation_id=observation_id, status=status,
                              by_user_id=erik.id)  # fmt: skip
            for photo in range(rng.choice([0, 0, 1, 3])):
                session.add(Photo(
                    observation_id=observation_id, file_id=f"f{number}-{photo}",
                    file_unique_id=f"u{number}-{photo}", sha256="0" * 64,
                    path=str(data_dir / "photos" / f"p{number}-{photo}.jpg"),
                ))  # fmt: skip
            for comment in range(rng.choice([0, 1, 2])):
                add_comment(
                    session=session, observation_id=observation_id, author_id=erik.id,
                    text="Vi tittar på det", chat_id=GROUP_CHAT,
                    message_id=number * 10 + comment,
                )  # fmt: skip
        for number in range(8):  # some act on observations, some on none
            acting = tuple(rng.sample(ids, rng.choice([0, 1, 2])))
            made = FIRST + timedelta(days=rng.randrange(-10, 40))
            record_intervention(
                session=session, what=f"Insats {number}: mer belysning", by_user_id=erik.id,
                chat_id=rng.choice([GROUP_CHAT, OTHER_CHAT]), thread_id=None,
                observation_ids=acting, now=made.astimezone(UTC),
            )  # fmt: skip
        return Seeded(company_id=bo.organisation_id, town_id=anna.organisation_id)


@dataclass(frozen=True)
class Plain:
    """Everything about one observation, read without the export's queries."""

    reference: str
    occurred_at: datetime
    code: str
    urgent: bool
    area: str | None
    status: Status
    organisation_id: int
    photos: int
    comments: int
    placed: bool  # has a point


def everything(engine: Engine) -> tuple[list[Plain], list[Intervention], dict[int, list[str]]]:
    """Every observation, every intervention, and the references each intervention acts on."""
    with transaction(engine) as session:
        categories = {c.id: c for c in session.exec(select(Category)).all()}
        photos = [p.observation_id for p in session.exec(select(Photo)).all()]
        comments = [c.observation_id for c in session.exec(select(Comment)).all()]
        observations = session.exec(select(Observation)).all()
        plain = [
            Plain(o.reference, o.occurred_at, categories[o.category_id].code,
                  categories[o.category_id].urgent, o.area, o.status, o.organisation_id,
                  photos.count(o.id), comments.count(o.id), o.latitude is not None)
            for o in observations
        ]  # fmt: skip
        references = {o.id: o.reference for o in observations}
        links: dict[int, list[str]] = {}
        for link in session.exec(select(InterventionLink)).all():
            links.setdefault(link.intervention_id, []).append(references[link.observation_id])
        interventions = list(session.exec(select(Intervention)).all())
        session.expunge_all()
    return plain, interventions, links

"""A whole world for end-to-end tests: the real bot, a fake Telegram, a fake geocoder.

`world.start()` builds the real Application from Settings (exactly as `estbot run` does)
and polls the fake Bot API server over HTTP; `world.restart()` throws the running bot away
and starts a new one on the same database, as after a crash.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlmodel import select

from bot.application import build_application
from bot.settings import Settings
from bot.trial.fake_telegram.people import SimGroup, SimUser
from bot.trial.fake_telegram.server import running
from storage.database.engine import make_engine, transaction
from storage.kinds import Role
from storage.people.access import create_invite
from storage.tables import Observation
from tests.support.fake_geocoder import FakeGeocoder
from tests.support.fake_telegram import FakeTelegram

TOKEN = "123456789:TESTtokenTESTtokenTESTtoken_abcdef"
KVARNPARKEN = (59.1262, 15.1418)


def jpeg(
    width: int = 64, height: int = 48, colour: str = "red", exif: bytes | None = None
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="JPEG", exif=exif or b"")
    return out.getvalue()


class World:
    """The running bot and everything around it."""

    def __init__(
        self, database_url: str, data_dir: Path, telegram: FakeTelegram, geocoder: FakeGeocoder
    ) -> None:
        self.database_url = database_url
        self.data_dir = data_dir
        self.telegram = telegram
        self.geocoder = geocoder
        self.engine = make_engine(database_url)
        self._stack: AsyncExitStack | None = None
        self.app: Any = None
        self.overrides: dict[str, Any] = {}
        self._next_user = 2000

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "telegram_bot_token": TOKEN,
            "telegram_api_base_url": self.telegram.base_url,
            "telegram_api_file_url": self.telegram.file_url,
            "database_url": self.database_url,
            "data_dir": self.data_dir,
            "geocoder_domain": self.geocoder.base,
            "geocoder_scheme": "http",
            "geocoder_min_delay_s": 0.0,
            "geocoder_timeout_s": 2.0,
            "rate_limit_overall": 0,
        }
        values.update(self.overrides)
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    async def start(self) -> None:
        self.app = build_application(self.settings())
        self._stack = AsyncExitStack()
        await self._stack.enter_async_context(running(self.app))
        if self.app.post_init is not None:  # as run_polling does after initialize()
            await self.app.post_init(self.app)

    async def stop(self) -> None:
        if self._stack is not None:
            if self.app.post_stop is not None:  # as run_polling does when it stops
                await self.app.post_stop(self.app)
            await self._stack.aclose()
            self._stack = None

    async def restart(self) -> None:
        """A new Application on the same database (the old one's memory is gone)."""
        await self.stop()
        await self.start()

    def invite(self, role: Role = Role.REPORTER, org: str = "Kvarnby kommun", **kwargs: Any) -> str:
        with transaction(self.engine) as session:
            created, _ = create_invite(session=session, organisation_name=org, role=role, **kwargs)
            return created.code

    async def member(
        self, role: Role = Role.REPORTER, org: str = "Kvarnby kommun", **names: Any
    ) -> SimUser:
        """A person who registered with an invite link, greeted and ready to report."""
        self._next_user += 1
        user = self.telegram.user(
            self._next_user,
            names.pop("first_name", "Anna"),
            username=names.pop("username", f"user{self._next_user}"),
            **names,
        )
        await user.send(f"/start {self.invite(role, org)}")
        welcome = await user.next_message()
        assert "Välkommen" in welcome["text"] or "Welcome" in welcome["text"], welcome
        return user

    async def linked_group(
        self,
        coordinator: SimUser,
        chat_id: int = -1001000000001,
        title: str = "Trygghetssamordning Kvarnby",
        **kwargs: Any,
    ) -> SimGroup:
        """A group the coordinator added the bot to and linked with /koppla."""
        group = self.telegram.group(chat_id, title, **kwargs)
        await group.send(coordinator, "/koppla")
        confirmation = await group.next_message()
        assert "Gruppen är kopplad" in confirmation["text"], confirmation
        return group

    def observations(self) -> list[Observation]:
        with transaction(self.engine) as session:
            return list(session.exec(select(Observation).order_by(Observation.id)).all())


@pytest.fixture
async def world(database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    async with (
        FakeTelegram(token=TOKEN, bot_username="estbot_test_bot") as telegram,
        FakeGeocoder() as geocoder,
    ):
        world = World(database_url, tmp_path / "data", telegram, geocoder)
        await world.start()
        try:
            yield world
        finally:
            await world.stop()
            world.engine.dispose()
            assert telegram.unknown_methods == [], telegram.unknown_methods


@pytest.fixture
async def anna(world: World) -> SimUser:
    return await world.member(first_name="Anna")


@pytest.fixture
async def erik(world: World) -> SimUser:
    """The municipality's safety coordinator."""
    return await world.member(Role.COORDINATOR, first_name="Erik", last_name="Ek")


@pytest.fixture
async def group(world: World, erik: SimUser) -> SimGroup:
    """The coordinators' group, linked by Erik."""
    return await world.linked_group(erik)

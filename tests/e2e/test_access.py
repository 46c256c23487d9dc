"""Only invited staff report: invites, registration, strangers, revoking."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta

from sqlmodel import select

from storage.database.engine import transaction
from storage.kinds import Role
from storage.people.revoke import revoke_user
from storage.tables import Draft, Invite, User, utcnow
from tests.e2e.conftest import TOKEN, World
from tests.e2e.helpers import buttons, forge_press, text, to_place


async def test_invite_link_registers_with_organisation_and_role(world: World) -> None:
    code = world.invite(Role.COORDINATOR, org="Kumla Bostäder")
    eva = world.telegram.user(3001, "Eva", username="eva")
    await eva.send(f"/start {code}")
    welcome = await eva.next_message()
    assert "Välkommen, Eva!" in text(welcome) and "Kumla Bostäder" in text(welcome)
    assert "112" in text(welcome)
    assert (
        eva.reply_keyboard is not None
        and eva.reply_keyboard["keyboard"][0][0]["text"] == "📝 Ny observation"
    )
    with transaction(world.engine) as session:
        user = session.exec(select(User).where(User.telegram_id == 3001)).one()
        assert user.role is Role.COORDINATOR and user.username == "eva" and user.active


async def test_unknown_expired_and_used_up_codes_are_explained(world: World) -> None:
    stranger = world.telegram.user(3002, "Sven")
    await stranger.send("/start NOSUCHCODE12")
    assert "känner jag inte igen" in text(await stranger.next_message())

    with transaction(world.engine) as session:
        from storage.people.access import create_invite

        old, _ = create_invite(
            session=session,
            organisation_name="Kvarnby kommun",
            role=Role.REPORTER,
            valid_for=timedelta(hours=1),
            now=utcnow() - timedelta(hours=2),
        )
        expired_code = old.code
    await stranger.send(f"/start {expired_code}")
    assert "gått ut" in text(await stranger.next_message())

    single = world.invite(max_uses=1)
    first = world.telegram.user(3003, "Första")
    await first.send(f"/start {single}")
    assert "Välkommen" in text(await first.next_message())
    await stranger.send(f"/start {single}")
    assert "redan använd" in text(await stranger.next_message())
    with transaction(world.engine) as session:
        assert session.exec(select(Invite).where(Invite.code == single)).one().uses == 1
        assert session.exec(select(User).where(User.telegram_id == 3002)).first() is None


async def test_stranger_gets_one_short_message_and_no_data(world: World, anna) -> None:  # type: ignore[no-untyped-def]
    await anna.send("/rapport")
    await anna.next_message()
    stranger = world.telegram.user(3004, "Okänd")
    await stranger.send("/rapport")
    reply = await stranger.next_message()
    assert "inbjudningslänk" in text(reply) and not buttons(reply)
    for attempt in ("hej", "/mina", "/start"):  # told once; spam gets no more answers
        await stranger.send(attempt)
    await stranger.send_location(59.12, 15.14)
    await world.telegram.idle(stranger.id)
    assert len(stranger.messages) == 1
    # a forged button press from the stranger changes nothing and reveals nothing
    forge_press(stranger, f"r:{'0' * 16}:send:")
    assert await world.telegram.wait_until(lambda: bool(stranger.alerts), 10)
    await world.telegram.idle(stranger.id)
    assert "inbjudningslänk" in stranger.alerts[-1]
    assert world.observations() == []


async def test_revoked_user_loses_access_mid_conversation(world: World, anna) -> None:  # type: ignore[no-untyped-def]
    await to_place(anna)
    with transaction(world.engine) as session:
        assert revoke_user(session=session, who=f"@{anna.user['username'].upper()}") is not None
        assert session.exec(select(Draft)).all() == []
        assert session.exec(select(Draft)).all() == []
    await anna.send_location(59.1262, 15.1418)
    reply = await anna.next_message()
    assert "inbjudningslänk" in text(reply)
    before = len(anna.messages)
    await anna.send("/rapport")
    await world.telegram.idle(anna.id)
    assert len(anna.messages) == before, "told once; nothing more, and no report begun"
    with transaction(world.engine) as session:
        assert session.exec(select(Draft)).all() == []


async def _estbot(world: World, *args: str, token: bool = True) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "ESTBOT_DATABASE_URL": world.database_url,
        "ESTBOT_DATA_DIR": str(world.data_dir),
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    if token:
        env |= {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": world.telegram.base_url}
    process = await asyncio.create_subprocess_exec(
        "estbot", *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode(), err.decode()


async def test_cli_invite_prints_deep_link_and_registered_user_can_be_listed_and_revoked(
    world: World,
) -> None:
    code, out, err = await _estbot(
        world,
        "invite",
        "--org",
        "Kumla Bostäder",
        "--role",
        "reporter",
        "--uses",
        "2",
        "--expires",
        "14d",
    )
    assert code == 0, err
    link = next(line for line in out.splitlines() if line.startswith("Link: "))
    assert link.startswith("Link: https://t.me/estbot_test_bot?start=")
    invite_code = link.rsplit("=", 1)[1]
    assert TOKEN not in out + err

    code, out, _ = await _estbot(world, "invite", "--org", "Kumla Bostäder", token=False)
    assert code == 0 and "/start " in out and "t.me" not in out

    kalle = world.telegram.user(3005, "Kalle", username="kalle_v")
    await kalle.send(f"/start {invite_code}")
    assert "Kumla Bostäder" in text(await kalle.next_message())

    code, out, _ = await _estbot(world, "users", token=False)
    assert code == 0 and "@kalle_v" in out and "Kumla Bostäder" in out and "active" in out

    code, out, _ = await _estbot(world, "revoke", "@kalle_v", token=False)
    assert code == 0 and "Revoked" in out
    code, out, _ = await _estbot(world, "users", token=False)
    assert "revoked" in out
    await kalle.send("/rapport")
    assert "inbjudningslänk" in text(await kalle.next_message())

    code, _, err = await _estbot(world, "revoke", "@nobody", token=False)
    assert code == 1 and "No user" in err


async def test_revoked_person_needs_an_invite_made_after_the_revocation(world: World) -> None:
    team_code = world.invite(max_uses=20)
    kalle = world.telegram.user(3006, "Kalle", username="kalle")
    await kalle.send(f"/start {team_code}")
    assert "Välkommen" in text(await kalle.next_message())
    with transaction(world.engine) as session:
        assert revoke_user(session=session, who="3006") is not None
    await kalle.send(f"/start {team_code}")
    assert "behörighet har tagits bort" in text(await kalle.next_message())
    await kalle.send(f"/start {world.invite()}")
    assert "Välkommen" in text(await kalle.next_message())


async def test_revoke_by_an_ambiguous_username_is_refused(world: World) -> None:
    with transaction(world.engine) as session:
        from tests.factories import make_user

        make_user(session, telegram_id=3100, username="Kalle")
        make_user(session, telegram_id=3101, username="kalle")
    code, _, err = await _estbot(world, "revoke", "@kalle", token=False)
    assert code == 1 and "3100" in err and "3101" in err
    code, out, _ = await _estbot(world, "revoke", "3101", token=False)
    assert code == 0 and "3101" in out


async def test_a_changed_username_is_stored_for_revoking_by_name(world: World) -> None:
    anna = await world.member(first_name="Anna", username="anna_old")
    anna.user["username"] = "anna_new"
    await anna.send("/hjalp")
    await anna.next_message()
    with transaction(world.engine) as session:
        assert revoke_user(session=session, who="@anna_new") is not None
        assert revoke_user(session=session, who="@anna_old") is None

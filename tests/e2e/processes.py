"""`estbot run` as a real process beside the fake servers of a World, for end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.e2e.conftest import TOKEN, World


@asynccontextmanager
async def estbot_process(
    world: World, cwd: Path, log: list[bytes], *arguments: str, **settings: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`estbot run [arguments]` on the world's database and fake servers, with `settings`
    as extra environment variables; its output goes to `log`. Stopped with SIGTERM (then
    SIGKILL) on leaving, unless the test killed it already."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": world.telegram.base_url,
        "TELEGRAM_API_FILE_URL": world.telegram.file_url,
        "ESTBOT_DATABASE_URL": world.database_url,
        "ESTBOT_DATA_DIR": str(world.data_dir),
        "ESTBOT_GEOCODER_DOMAIN": world.geocoder.base,
        "ESTBOT_GEOCODER_SCHEME": "http",
        **settings,
    }
    process = await asyncio.create_subprocess_exec(
        "estbot", "run", *arguments, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    reader = asyncio.create_task(_collect(process, log))
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
        await reader


async def _collect(process: asyncio.subprocess.Process, log: list[bytes]) -> None:
    assert process.stdout is not None
    while line := await process.stdout.readline():
        log.append(line)

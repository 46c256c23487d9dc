"""An aiohttp transport for python-telegram-bot.

PTB's default transport (httpx) spends most of a Bot API call's CPU time in its connection
pool's bookkeeping; every update costs estbot two or three calls, so a cheaper client
doubles what one process can serve. Behaviour is PTB's: the same timeouts and errors.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.logs import RedactSecrets


class AiohttpRequest(BaseRequest):
    """Bot API requests over one pooled aiohttp session."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 64,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 10.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._timeouts = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
            "media": media_write_timeout,
        }
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=self._chosen(pool_timeout, "pool"),
            sock_connect=self._chosen(connect_timeout, "connect"),
            sock_read=self._chosen(read_timeout, "read"),
        )
        body: Any = _form(request_data) if request_data else None
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:  # its text may hold the URL, and so the token
            reason = RedactSecrets([]).redact(str(error))
            raise NetworkError(f"aiohttp.{type(error).__name__}: {reason}") from error
        finally:
            del files

    def _chosen(self, value: ODVInput[float], default: str) -> float | None:
        return self._timeouts[default] if isinstance(value, DefaultValue) else value


def _form(request_data: RequestData) -> dict[str, str] | aiohttp.FormData:
    """Form fields as PTB encodes them; multipart when files are uploaded."""
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form

"""A TCP proxy that a test can cut and restore: a database server "stopped" for a while
without stopping the shared server that other tests and people use.

`cut()` closes every connection through the proxy and refuses new ones (each is closed as
soon as it is accepted), as a stopped server would; `restore()` lets them through again.
It runs in threads of its own, because the bot's database calls block its event loop:
a proxy on that loop could never answer them.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

CHUNK = 65536


class TcpProxy:
    """Forwards 127.0.0.1:`port` (a free port) to `upstream`."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self.refused = 0  # connections refused while cut
        self._listener: socket.socket | None = None
        self._cut = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []

    def start(self) -> TcpProxy:
        """Listen and forward."""
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.1)
        self._listener, self.port = listener, listener.getsockname()[1]
        self._spawn(self._accept)
        return self

    def stop(self) -> None:
        """Close everything and end the threads."""
        self._stopping.set()
        self._close_all()
        for thread in self._threads:
            thread.join(timeout=2)
        if self._listener is not None:
            self._listener.close()

    def cut(self) -> None:
        """From now on: every connection closed, new ones refused."""
        self._cut.set()
        self._close_all()

    def restore(self) -> None:
        """Connections go through again."""
        self._cut.clear()

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- threads -----------------------------------------------------------------------------
    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._cut.is_set():
                self.refused += 1
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._open |= {client, server}
            self._spawn(self._pump, client, server)
            self._spawn(self._pump, server, client)

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(CHUNK):
                target.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source, target)

    def _close(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
            with self._lock:
                self._open.discard(sock)

    def _close_all(self) -> None:
        with self._lock:
            sockets = list(self._open)
        self._close(*sockets)

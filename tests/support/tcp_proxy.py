"""A TCP proxy on loopback that a test can cut, as a database restart or failover cuts every
connection: the portal (or a worker) talks to PostgreSQL through it, and `outage()` drops all
open connections and refuses new ones for a while."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator


class TcpProxy:
    """Forwards 127.0.0.1:<port> to ``target``; start with `start()`, stop with `stop()`."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._down = threading.Event()
        self._stopped = threading.Event()
        self.cuts = 0

    def start(self) -> TcpProxy:
        threading.Thread(target=self._accept, daemon=True, name="tcp-proxy").start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        # Closing a listening socket does not wake a thread blocked in accept(); shutting it
        # down does, so no accept thread outlives its proxy.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._close_all()

    def url(self, database_url: str) -> str:
        """``database_url`` with its host and port replaced by the proxy's."""
        from sqlalchemy.engine import make_url

        return make_url(database_url).set(host="127.0.0.1", port=self.port).render_as_string(
            hide_password=False)

    def cut(self) -> None:
        """Drop every open connection now; new ones are refused until `restore()`."""
        self._down.set()
        self.cuts += 1
        self._close_all()

    def restore(self) -> None:
        self._down.clear()

    @contextlib.contextmanager
    def outage(self, seconds: float) -> Iterator[None]:
        """The database is gone for ``seconds``, as in a restart."""
        self.cut()
        try:
            time.sleep(seconds)
            yield
        finally:
            self.restore()

    # --- plumbing ----------------------------------------------------------------------------

    def _close_all(self) -> None:
        with self._lock:
            sockets, self._open = self._open, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._down.is_set():
                client.close()  # a server that is restarting refuses the connection
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._open.update((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.close()
            with self._lock:
                self._open.discard(source)
                self._open.discard(sink)

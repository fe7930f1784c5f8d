"""The gunicorn worker of ``docgen serve``: gthread, with whole requests read before a thread.

gunicorn's gthread worker hands a connection to one of its few threads as soon as the
first byte arrives, and the thread then blocks reading the rest: sixteen clients sending
one byte every five seconds held every thread of every worker, and ``/healthz`` timed out
(issue 12, point 8). This worker reads requests in its main loop instead, without
blocking, like a buffering reverse proxy: a request reaches a thread only once its head
and its whole body (``Content-Length``, or a chunked body up to its last chunk) have
arrived. A request must arrive within ``read_timeout`` seconds, plus one second per
``min_rate`` bytes of the body it announces; past that it is answered 408 and closed,
without ever having taken a thread. Bodies are kept in memory up to ``SPOOL_BYTES``,
beyond that in a temporary file. Once in a thread, the socket also times out after
``read_timeout`` seconds of silence, for the rare request that reaches it incomplete.

``GET /healthz`` (the process is alive) is answered by the main loop itself, once read:
it never waits for a request thread, all of which may be busy (reading uploads, say).

Production behind nginx buffers the requests there as well (see README, "Production").
"""

from __future__ import annotations

import contextlib
import errno
import io
import re
import selectors
import socket
import tempfile
import time
from collections import deque
from functools import partial
from typing import IO, Any

from gunicorn.workers.gthread import TConn, ThreadWorker

SPOOL_BYTES = 1 << 20
HEAD_LIMIT = 64 * 1024  # gunicorn refuses longer heads itself: hand them over to answer
RECV_CHUNK = 256 * 1024
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_TIMEOUT_TEXT = b"the request did not arrive whole in time\n"
TIMEOUT_ANSWER = (
    b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(_TIMEOUT_TEXT), _TIMEOUT_TEXT)
)
_HEALTH_TEXT = b'{"status":"ok"}\n'
HEALTH_ANSWER = (
    b"HTTP/1.1 200 OK\r\nConnection: close\r\n"
    b"Content-Type: application/json\r\nCache-Control: no-store\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(_HEALTH_TEXT), _HEALTH_TEXT)
)
_HEALTH = re.compile(rb"^GET /healthz(\?[^ ]*)? HTTP/1\.[01]\r\n")
_CONTENT_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*(\d{1,18})[ \t]*\r?$", re.I | re.M)
_CHUNKED = re.compile(rb"^transfer-encoding[ \t]*:.*chunked", re.I | re.M)
_EXPECT_CONTINUE = re.compile(rb"^expect[ \t]*:[ \t]*100-continue", re.I | re.M)


class BufferedSocket:
    """A client socket whose next bytes may already have been read into a buffer."""

    def __init__(self, raw: socket.socket, timeout: float):
        self.raw = raw
        self.timeout = timeout
        self.preloaded: list[IO[bytes]] = []
        self.continue_sent = False

    def preload(self, *parts: IO[bytes]) -> None:
        self.preloaded.extend(parts)

    def take_preloaded(self) -> bytes:
        """What is left of the preloaded bytes (a pipelined next request), removed."""
        data = b"".join(part.read() for part in self.preloaded)
        for part in self.preloaded:
            part.close()
        self.preloaded.clear()
        return data

    def recv(self, size: int, *flags: int) -> bytes:
        while self.preloaded:
            data = self.preloaded[0].read(size)
            if data:
                return data
            self.preloaded.pop(0).close()
        return self.raw.recv(size, *flags)

    def send(self, data: bytes, *flags: int) -> int:
        if data == CONTINUE and self.continue_sent:
            return len(data)  # this worker said it already, while reading the body
        return self.raw.send(data, *flags)

    def setblocking(self, flag: bool) -> None:
        # Blocking, for a thread: bounded, so that a stalled client cannot hold it for ever.
        self.raw.settimeout(self.timeout if flag else 0.0)

    def close(self) -> None:
        for part in self.preloaded:
            part.close()
        self.preloaded.clear()
        self.raw.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


class Incoming:
    """The part of a request read so far, and when it must be complete."""

    def __init__(self, started: float, read_timeout: float, min_rate: float, max_body: int):
        self.started = started
        self.deadline = started + read_timeout
        self.min_rate = min_rate
        self.max_body = max_body
        self.head = bytearray()
        self.head_end: int | None = None
        self.body: IO[bytes] | None = None
        self.body_size = 0
        self.needed: int | None = None  # body bytes still to come; None: chunked
        self.tail = b""
        self.expects_continue = False

    def feed(self, data: bytes) -> bool:
        """Add bytes; return True once the request can go to a thread."""
        if self.head_end is None:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return len(self.head) > HEAD_LIMIT  # let gunicorn refuse it
            self.head_end = end + 4
            extra = bytes(self.head[self.head_end :])
            del self.head[self.head_end :]
            now = self._read_head()
            complete = self._add_body(extra)  # keep the bytes after the head, whatever
            return now or complete
        return self._add_body(data)

    def _read_head(self) -> bool:
        """Decide how much body to wait for; True when none (or gunicorn must decide)."""
        head = bytes(self.head)
        lengths = _CONTENT_LENGTH.findall(head)
        chunked = bool(_CHUNKED.search(head))
        if (chunked and lengths) or len(set(lengths)) > 1:
            return True  # ambiguous framing: gunicorn refuses it (400)
        if not chunked and not lengths:
            self.needed = 0
            return True  # no body
        size = int(lengths[0]) if lengths else self.max_body
        if size > self.max_body:
            return True  # the application answers 413 without reading it
        self.needed = None if chunked else size
        self.deadline += size / self.min_rate
        self.expects_continue = bool(_EXPECT_CONTINUE.search(head)) and size > 0
        return self.needed == 0

    def _add_body(self, data: bytes) -> bool:
        if data:
            if self.body is None:
                # Closed by discard(), or by the BufferedSocket it is handed to.
                self.body = tempfile.SpooledTemporaryFile(SPOOL_BYTES)  # noqa: SIM115
            self.body.write(data)
            self.body_size += len(data)
            self.tail = (self.tail + data)[-7:]
        if self.needed is not None:
            return self.body_size >= self.needed
        # Chunked: complete at the last chunk without trailers; too long: let the app refuse.
        return self.tail.endswith(b"0\r\n\r\n") or self.body_size > self.max_body

    def parts(self) -> list[IO[bytes]]:
        parts: list[IO[bytes]] = [io.BytesIO(bytes(self.head))]
        if self.body is not None:
            self.body.seek(0)
            parts.append(self.body)
        return parts

    def discard(self) -> None:
        if self.body is not None:
            self.body.close()


class BufferingWorker(ThreadWorker):
    """gthread whose threads only ever see requests that have arrived whole."""

    read_timeout = 15.0
    min_rate = 64_000.0
    max_body = 20_000_000

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.reading: deque[TConn] = deque()

    def accept(self, listener: socket.socket) -> None:
        try:
            client, address = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(
            self.cfg, BufferedSocket(client, self.read_timeout), address, listener.getsockname()
        )
        self._start_reading(conn)

    def on_client_socket_readable(self, conn: TConn, client: Any) -> None:
        """A kept-alive connection sends its next request: read it whole first, too."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._start_reading(conn)

    def _start_reading(self, conn: TConn, already: bytes = b"") -> None:
        conn.sock.setblocking(False)
        conn.incoming = Incoming(time.monotonic(), self.read_timeout, self.min_rate, self.max_body)
        self.reading.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_bytes, conn))
        self._on_bytes(conn, conn.sock, already)  # bytes may be there already

    def _on_bytes(self, conn: TConn, _client: Any, already: bytes = b"") -> None:
        incoming: Incoming = conn.incoming
        complete = incoming.feed(already) if already else False
        try:
            while not complete:
                data = conn.sock.raw.recv(RECV_CHUNK)
                if not data:
                    self._drop(conn)
                    return
                complete = incoming.feed(data)
                if incoming.expects_continue and not conn.sock.continue_sent:
                    conn.sock.raw.send(CONTINUE)
                    conn.sock.continue_sent = True
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(conn)
            return
        self._stop_reading(conn)
        if _HEALTH.match(incoming.head) and incoming.body is None:
            self._drop(conn, HEALTH_ANSWER)
            return
        conn.sock.preload(*incoming.parts())
        conn.data_ready = True
        self.enqueue_req(conn)

    def _stop_reading(self, conn: TConn) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)
        with contextlib.suppress(ValueError):
            self.reading.remove(conn)

    def _drop(self, conn: TConn, answer: bytes = b"") -> None:
        self._stop_reading(conn)
        conn.incoming.discard()
        if answer:
            with contextlib.suppress(OSError):
                conn.sock.raw.send(answer)
        self.nr_conns -= 1
        conn.close()

    def finish_request(self, conn: TConn, fs: Any) -> None:
        conn.sock.continue_sent = False
        super().finish_request(conn, fs)
        if conn.sock.preloaded and conn in self.keepalived_conns:
            # A pipelined request came with the last one: the socket will not signal it.
            with contextlib.suppress(KeyError, ValueError, OSError):
                self.poller.unregister(conn.sock)
            self.keepalived_conns.remove(conn)
            self._start_reading(conn, conn.sock.take_preloaded())

    def murder_pending(self) -> None:
        """Close the connections whose request did not arrive whole in time (408)."""
        super().murder_pending()
        now = time.monotonic()
        for conn in [c for c in self.reading if c.incoming.deadline <= now]:
            self.log.info(
                "a request did not arrive whole within %.0f s: answered 408",
                conn.incoming.deadline - conn.incoming.started,
            )
            self._drop(conn, TIMEOUT_ANSWER)

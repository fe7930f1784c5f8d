"""The converter's one transport: HTTP/1.0 with raw bodies, on a Unix socket or on TCP.

Every hop of a conversion speaks it: a web worker to the machine's service, a node to a
``docgen convert-server``, the pool to each LibreOffice instance. A request is ``POST
/convert`` with the DOCX as its body and answers the PDF as its body; a failure answers a
JSON body ``{"error": CODE, "detail": TEXT, "retry_after": SECONDS}`` with its status.

Local channels are Unix sockets, never TCP ports on 127.0.0.1 (open to every local user,
and the converter runs LibreOffice, whose UNO bridge gives ``SystemShellExecute``): the
socket lives in a directory only the service's user can enter (mode 0700), has mode 0600
itself, and the server checks the peer's user id (``SO_PEERCRED``) on every connection.
A TCP server (``docgen convert-server``) refuses every request that does not carry the
shared token (``Authorization: Bearer TOKEN``).

Standard library only: ``instance_server.py`` imports this module from its own folder in
the uno Python, outside docgen's environment.
"""

from __future__ import annotations

import hmac
import http.client
import http.server
import json
import logging
import os
import socket
import socketserver
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

log = logging.getLogger(__name__)

# sun_path holds 108 bytes on Linux, the final NUL included.
MAX_SOCKET_PATH = 107
UNIX_PREFIX = "unix:"
# Seconds to open a connection (a converter on a dead host fails fast), whatever the
# request's own timeout.
CONNECT_TIMEOUT = 5.0


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Message
    body: bytes


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        """The JSON object of an error or status body (empty when it is not one)."""
        try:
            value = json.loads(self.body)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


App = Callable[[Request], Reply]


def json_reply(status: int, headers: Mapping[str, str] | None = None, **fields: Any) -> Reply:
    body = json.dumps(fields).encode()
    return Reply(status, body, {"Content-Type": "application/json", **(headers or {})})


def error_reply(status: int, error: str, detail: str, retry_after: int | None = None) -> Reply:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return json_reply(status, headers, error=error, detail=detail, retry_after=retry_after)


def check_socket_path(path: str | Path) -> str:
    """Return ``path`` as a string, or raise ValueError if a Unix socket cannot have it."""
    text = os.fspath(path)
    if len(os.fsencode(text)) > MAX_SOCKET_PATH:
        raise ValueError(
            f"{text} is too long for a Unix socket (at most {MAX_SOCKET_PATH} "
            "bytes): set TMPDIR to a shorter folder"
        )
    return text


# --- server side ---


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection
    server_version = "docgen-convert"
    sys_version = ""

    def setup(self) -> None:
        self.timeout = self.server.read_timeout  # type: ignore[attr-defined]
        super().setup()

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        server: Any = self.server
        if server.token:
            given = self.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
            if not hmac.compare_digest(given, f"Bearer {server.token}".encode()):
                self._send(error_reply(401, "unauthorized", "a valid converter token is needed"))
                return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._send(error_reply(400, "bad-request", "Content-Length is not a number"))
            return
        if length < 0 or length > server.max_body:
            self._send(
                error_reply(413, "too-large", f"the body is larger than {server.max_body} bytes")
            )
            return
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            return  # the client went away
        url = urlsplit(self.path)
        request = Request(self.command, url.path, dict(parse_qsl(url.query)), self.headers, body)
        try:
            reply = server.app(request)
        except Exception as exc:  # a bug in the app must not end the server
            log.exception("the converter failed on %s %s", self.command, url.path)
            reply = error_reply(500, "failed", f"{type(exc).__name__}: {exc}")
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            pass  # the client went away (it timed out, or was killed)

    def address_string(self) -> str:
        return self.client_address[0] if isinstance(self.client_address, tuple) else "local"

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Serving:
    """What the handler reads from its server."""

    app: App
    token = ""
    max_body = 64 * 1024 * 1024
    read_timeout: float | None = 60.0

    def _configure(self, app: App, max_body: int | None, read_timeout: float | None) -> None:
        self.app = app
        if max_body is not None:
            self.max_body = max_body
        self.read_timeout = read_timeout


class UnixServer(_Serving, socketserver.UnixStreamServer):
    """HTTP on a Unix socket (mode 0600) that answers only processes of our own user.

    One request at a time (one job per LibreOffice instance); see ``ThreadingUnixServer``.
    """

    def __init__(
        self,
        path: str | Path,
        app: App,
        *,
        max_body: int | None = None,
        read_timeout: float | None = 60.0,
    ):
        self._configure(app, max_body, read_timeout)
        socketserver.UnixStreamServer.__init__(self, check_socket_path(path), _Handler)
        os.chmod(path, 0o600)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        return peer_uid(request) == os.getuid()


class ThreadingUnixServer(socketserver.ThreadingMixIn, UnixServer):
    daemon_threads = True
    request_queue_size = 64


class TokenTCPServer(_Serving, socketserver.ThreadingTCPServer):
    """HTTP on a TCP address (``docgen convert-server``), each request on its own thread;
    every request must carry the shared token."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(
        self,
        host: str,
        port: int,
        app: App,
        *,
        token: str,
        max_body: int | None = None,
        read_timeout: float | None = 60.0,
    ):
        if not token:
            raise ValueError("a converter on TCP needs a token")
        self._configure(app, max_body, read_timeout)
        self.token = token
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.address_family = family
        socketserver.ThreadingTCPServer.__init__(self, (host, port), _Handler)


def peer_uid(sock: socket.socket) -> int:
    """The user id of the process at the other end of a Unix socket."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


# --- client side ---


class _Connection(http.client.HTTPConnection):
    """HTTP on TCP or on a Unix socket: ``CONNECT_TIMEOUT`` to connect, then ``timeout``
    for each read."""

    def __init__(self, host: str, port: int | None, timeout: float, unix_path: str = ""):
        super().__init__(host, port, timeout=timeout)
        self.unix_path = unix_path

    def connect(self) -> None:
        if self.unix_path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.settimeout(min(CONNECT_TIMEOUT, self.timeout))
                sock.connect(self.unix_path)
            except BaseException:
                sock.close()
                raise
        else:
            sock = socket.create_connection(
                (self.host, self.port), timeout=min(CONNECT_TIMEOUT, self.timeout)
            )
        sock.settimeout(self.timeout)
        self.sock = sock


def request(
    address: str,
    method: str,
    path: str,
    body: bytes | None = None,
    *,
    timeout: float,
    token: str = "",
    content_type: str = "application/octet-stream",
) -> Reply:
    """Send one request to ``unix:/PATH`` or ``http://HOST:PORT`` and return its reply.

    Raises ``TimeoutError`` when no answer came within ``timeout`` seconds, another
    ``OSError`` or ``http.client.HTTPException`` when the server cannot be reached or
    went away in the middle.
    """
    if address.startswith(UNIX_PREFIX):
        connection = _Connection("localhost", None, timeout, address[len(UNIX_PREFIX) :])
    else:
        url = urlsplit(address)
        if url.scheme != "http" or not url.hostname:
            raise ValueError(
                f"not a converter address (unix:/PATH or http://HOST:PORT): {address!r}"
            )
        connection = _Connection(url.hostname, url.port or 80, timeout)
    headers = {"Content-Type": content_type} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return Reply(response.status, data, {k.lower(): v for k, v in response.getheaders()})
    finally:
        connection.close()

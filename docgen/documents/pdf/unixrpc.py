"""XML-RPC over Unix domain sockets: the converter's channels between its own processes.

No converter channel listens on TCP: a port on 127.0.0.1 is open to every local user,
and the converter runs LibreOffice, whose UNO bridge gives ``SystemShellExecute``. A Unix
socket lives in a directory only the service's user can enter (mode 0700), has mode 0600
itself, and the server also checks the peer's user id (``SO_PEERCRED``) on every
connection. ``server.py`` (run outside docgen's environment) has its own copy of the
server class.
"""

from __future__ import annotations

import http.client
import os
import socket
import socketserver
import struct
import xmlrpc.client
import xmlrpc.server
from pathlib import Path
from typing import Any

# sun_path holds 108 bytes on Linux, the final NUL included.
MAX_SOCKET_PATH = 107


def check_socket_path(path: str | Path) -> str:
    """Return ``path`` as a string, or raise ValueError if a Unix socket cannot have it."""
    text = os.fspath(path)
    if len(os.fsencode(text)) > MAX_SOCKET_PATH:
        raise ValueError(
            f"{text} is too long for a Unix socket (at most {MAX_SOCKET_PATH} "
            "bytes): set TMPDIR to a shorter folder"
        )
    return text


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP to a Unix socket; ``timeout`` applies to the connection and each read."""

    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.socket_path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path: str, timeout: float):
        super().__init__()
        self._path = path
        self._timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        self._connection = host, UnixHTTPConnection(self._path, self._timeout)
        return self._connection[1]


def proxy(path: str | Path, timeout: float) -> xmlrpc.client.ServerProxy:
    """An XML-RPC client of the server listening on the Unix socket ``path``."""
    return xmlrpc.client.ServerProxy(
        "http://localhost/", allow_none=True, transport=UnixTransport(os.fspath(path), timeout)
    )


class _Handler(xmlrpc.server.SimpleXMLRPCRequestHandler):
    disable_nagle_algorithm = False  # a TCP option

    def address_string(self) -> str:  # a Unix socket's peer has no address
        return "local"


class UnixXMLRPCServer(socketserver.UnixStreamServer, xmlrpc.server.SimpleXMLRPCDispatcher):
    """XML-RPC on a Unix socket (mode 0600) that answers only processes of our own user."""

    def __init__(self, path: str | Path, *, allow_none: bool = True):
        self.logRequests = False
        xmlrpc.server.SimpleXMLRPCDispatcher.__init__(self, allow_none, None)
        socketserver.UnixStreamServer.__init__(self, check_socket_path(path), _Handler)
        os.chmod(path, 0o600)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        return peer_uid(request) == os.getuid()


class ThreadingUnixXMLRPCServer(socketserver.ThreadingMixIn, UnixXMLRPCServer):
    daemon_threads = True
    request_queue_size = 64


def peer_uid(sock: socket.socket) -> int:
    """The user id of the process at the other end of a Unix socket."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]

"""Slow clients against a real ``docgen serve`` (issue 12, point 8).

Sixteen sockets sending one byte every five seconds to ``POST /login`` held every request
thread, and ``/healthz`` timed out. The workers now read requests whole before a thread
sees them, and close those that do not arrive in time with 408.
"""

from __future__ import annotations

import contextlib
import socket
import time

from served import Service

HEAD = (
    b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 40\r\n\r\n"
)
BODY = b"email=a%40example.org&password=x" + b"&x=" + b"y" * 5


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _answer(sock: socket.socket, wait: float) -> bytes:
    """What the server said before closing (b"" if nothing), reading at most ``wait`` s."""
    sock.settimeout(wait)
    chunks = []
    try:
        while chunk := sock.recv(4096):
            chunks.append(chunk)
    except (TimeoutError, ConnectionError):
        pass
    return b"".join(chunks)


def test_slow_clients_do_not_stop_the_service(tmp_path, templates_dir):
    assert len(BODY) == 40
    with (
        Service(tmp_path, templates_dir, REQUEST_READ_TIMEOUT="12") as service,
        contextlib.ExitStack() as sockets,
    ):
        service.start(workers=2)  # 2 workers x 4 threads: fewer threads than attackers
        # Eight trickle the head, eight send the head and trickle the body.
        head_slow = [sockets.enter_context(_connect(service.port)) for _ in range(8)]
        body_slow = [sockets.enter_context(_connect(service.port)) for _ in range(8)]
        for sock in body_slow:
            sock.sendall(HEAD)
        started = time.monotonic()
        health_times = []
        position = 0
        while time.monotonic() - started < 11:  # bounded: under the read timeout
            for sock in head_slow:
                sock.sendall(HEAD[position : position + 1])
            for sock in body_slow:
                sock.sendall(BODY[position : position + 1])
            position += 1
            round_end = time.monotonic() + 5
            while time.monotonic() < round_end:
                # /healthz (answered by the workers' main loops) and /readyz (by a thread
                # of the application, like every other request).
                for path in ("/healthz", "/readyz"):
                    before = time.monotonic()
                    status, _headers, body = service.request("GET", path, timeout=5)
                    health_times.append(time.monotonic() - before)
                    assert status == 200 and b'"status"' in body
                time.sleep(0.5)
        assert len(health_times) >= 10
        assert max(health_times) < 2, health_times
        # A real sign-in attempt, sent at once, is answered meanwhile.
        status, _headers, _body = service.request(
            "POST",
            "/login",
            body=b"email=nobody%40example.org&password=wrong",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=10,
        )
        assert status < 500
        # The attackers are cut off with 408 once the read timeout has passed.
        answers = [_answer(sock, 15) for sock in head_slow + body_slow]
        assert all(a.startswith(b"HTTP/1.1 408") for a in answers), answers
        assert time.monotonic() - started < 12 + 5 + 15
        status, _headers, _body = service.request("GET", "/healthz", timeout=5)
        assert status == 200


def _read_response(sock: socket.socket, wait: float = 60) -> bytes:
    """Read one response whose body has a Content-Length (bounded by ``wait``)."""
    sock.settimeout(wait)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    while head.startswith(b"HTTP/1.1 100"):
        head, _, body = body.partition(b"\r\n\r\n")
    length = int(
        next(
            line.split(b":")[1]
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk
        body += chunk
    return head + b"\r\n\r\n" + body


def test_whole_requests_still_arrive_intact(tmp_path, templates_dir):
    """Bodies kept in a file (over 1 MiB), "Expect: 100-continue" and chunked bodies."""
    from served import ROOT

    pdf = (ROOT / "forms" / "certificate_of_attendance.pdf").read_bytes()
    # Still a PDF (its trailer repeated at the end, where readers look for it), and over the
    # spool size.
    padded = pdf + b"\n%" + b"x" * 2_000_000 + b"\n" + pdf[pdf.rindex(b"startxref") :]
    boundary = b"docgen-test-boundary"
    body = (
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; '
        b'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        + padded
        + b"\r\n--"
        + boundary
        + b"--\r\n"
    )
    with Service(tmp_path, templates_dir) as service:
        service.start(workers=1)
        token = service.token("uploads")
        with _connect(service.port) as sock:
            sock.sendall(
                b"POST /api/v1/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Authorization: Bearer " + token.encode() + b"\r\n"
                b"Content-Type: multipart/form-data; boundary=" + boundary + b"\r\n"
                b"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n" % len(body)
            )
            sock.settimeout(10)
            assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
            sock.sendall(body)
            answer = _read_response(sock)
        assert b"100 Continue" not in answer  # said once, before the body, not again
        assert answer.split(b"\r\n")[0] in (b"HTTP/1.1 201 CREATED", b"HTTP/1.1 202 ACCEPTED")
        assert b'"filename":"big.pdf"' in answer.replace(b" ", b"")
        # A chunked body, in pieces with pauses shorter than the read timeout.
        payload = b'{"kind": "certificate_of_attendance"}'
        with _connect(service.port) as sock:
            sock.sendall(
                b"POST /api/v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Authorization: Bearer " + token.encode() + b"\r\n"
                b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            for piece in (payload[:10], payload[10:]):
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
                time.sleep(0.5)
            sock.sendall(b"0\r\n\r\n")
            answer = _read_response(sock)
        # The key may not generate documents: the request was read whole and judged.
        assert answer.split(b"\r\n")[0] == b"HTTP/1.1 403 FORBIDDEN", answer[:500]
        # Two requests sent at once on a kept-alive connection: both answered.
        with _connect(service.port) as sock:
            ready = b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            sock.sendall(ready + ready)
            sock.settimeout(10)
            both = b""
            while both.count(b"HTTP/1.1 200") < 2 or both.count(b'"ready"') < 2:
                chunk = sock.recv(65536)
                assert chunk, both
                both += chunk

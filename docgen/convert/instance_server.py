"""Serve DOCX -> PDF conversions from one warm LibreOffice, over HTTP on a Unix socket.

This file runs as a script under a Python that can import ``uno`` (Debian's python3 with
python3-uno, in the small ``.venv-uno``), never inside docgen's own environment: it
imports only the standard library, ``uno`` and its two stdlib-only neighbours
(``transport.py``, ``flags.py``, found in the script's own folder). docgen's pool
(``instance.py`` beside it) starts it as::

    python instance_server.py --dir DIR --start-timeout SECONDS -- SOFFICE [FLAGS...]

in a session of its own, with a pipe on standard input whose write end only the pool
holds. DIR is private to the service's user (mode 0700, inside the pool's 0700 folder).
The script starts ``soffice`` with the flags it is given plus a UNO pipe, connects to it,
serves ``POST /convert?pdfa=0|1`` and ``GET /ping`` on the Unix socket ``DIR/rpc.sock``
(see ``transport.py``), and writes ``DIR/ready.json`` (socket path and soffice pid) once
it can take a job. No TCP port is opened: LibreOffice listens on a named pipe (``pipe,name=``
with a random name: a Unix socket ``/tmp/OSL_PIPE_<uid>_<name>`` that only the owner may
connect to), and the script removes that path as soon as it has connected, so no other
process can reach the UNO bridge (which gives ``SystemShellExecute``) at all. When the pipe
on standard input reaches end of file (the pool stops the instance, or the pool's process
died, however it died) it closes LibreOffice cleanly if it answers within 3 s, removes DIR
and kills its whole process group; when LibreOffice exits by itself, it kills the group
too. A failed job answers 500 with error ``document`` when the export failed, 502
``instance-lost`` when LibreOffice itself was lost (the pool restarts the instance and
tries again) and 422 ``unreadable`` when LibreOffice cannot open the file as a Word
document (the input is at fault).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import transport
from flags import PDFA_VERSION


class Unreadable(Exception):
    """LibreOffice cannot open the file as a Word document."""


class _Office:
    """What the lifeline needs to shut down: filled in as start-up goes."""

    converter = None
    soffice: subprocess.Popen[bytes] | None = None
    workdir: Path | None = None
    closing = False


def _watch_lifeline() -> None:
    # Only the pool holds the write end: end of file means the pool stopped this instance
    # or its process is gone, however it died.
    while os.read(0, 4096):
        pass
    _shut_down()


def _shut_down() -> None:
    """Close LibreOffice cleanly if it answers within 3 s, remove our directory, end the group.

    A clean close also removes LibreOffice's OSL_PIPE socket in /tmp, which a kill leaves.
    """
    _Office.closing = True
    if _Office.converter is not None and _Office.soffice is not None:
        deadline = time.monotonic() + 3
        closing = threading.Thread(target=_terminate_desktop, daemon=True)
        closing.start()
        closing.join(3)
        # terminate() returns before LibreOffice has finished closing: wait for its exit
        # (the main thread reaps it).
        while _Office.soffice.returncode is None and time.monotonic() < deadline:
            time.sleep(0.01)
    me = os.getpid()
    for pid in _group_pids():
        if pid != me:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    if _Office.workdir is not None:
        shutil.rmtree(_Office.workdir, ignore_errors=True)
        with contextlib.suppress(OSError):  # the pool's directory, once its last instance left
            _Office.workdir.parent.rmdir()
    os.killpg(0, signal.SIGKILL)


def _terminate_desktop() -> None:
    with contextlib.suppress(Exception):  # LibreOffice may be gone or wedged already
        _Office.converter.desktop.terminate()


def _group_pids() -> list[int]:
    group = os.getpgid(0)
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group:
                pids.append(int(entry))
    return pids


def _export(desktop, source: Path, target: Path, *, pdfa: bool) -> None:
    """Load ``source`` as DOCX, hidden and read-only, and export it as PDF to ``target``.

    unoserver's own ``convert`` detects types and filters on every call and loads visibly;
    loading hidden with the Word filter named is about a fifth faster, and never opens a
    file that is not Word as plain text.
    """
    import uno
    from com.sun.star.beans import PropertyValue

    def props(**values):
        return tuple(PropertyValue(Name=name, Value=value) for name, value in values.items())

    from com.sun.star.io import IOException
    from com.sun.star.lang import IllegalArgumentException

    try:
        document = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(str(source)),
            "_blank",
            0,
            props(Hidden=True, ReadOnly=True, FilterName="MS Word 2007 XML"),
        )
    except (IllegalArgumentException, IOException) as exc:
        raise Unreadable(f"LibreOffice cannot open it as a Word document ({exc})") from exc
    if document is None:
        raise Unreadable("LibreOffice cannot open it as a Word document")
    try:
        filter_data = props(SelectPdfVersion=PDFA_VERSION) if pdfa else ()
        document.storeToURL(
            uno.systemPathToFileUrl(str(target)),
            props(
                FilterName="writer_pdf_Export",
                FilterData=uno.Any("[]com.sun.star.beans.PropertyValue", filter_data),
            ),
        )
    finally:
        document.close(True)


class _Connection:
    """The UNO bridge to our soffice: its desktop, nothing else."""

    def __init__(self, pipe: str):
        import uno

        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        self.desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )


def _close_pipe_path(pipe: str) -> None:
    """Remove the path of LibreOffice's UNO pipe: the bridge stays, nobody else can connect.

    LibreOffice 7.4 puts it in /tmp as ``OSL_PIPE_<uid>_<name>`` (it ignores TMPDIR), mode
    0755; /proc/net/unix names it exactly.
    """
    suffix = f"/OSL_PIPE_{os.getuid()}_{pipe}"
    with open("/proc/net/unix") as table:
        paths = {f[7] for f in (line.split() for line in table) if len(f) >= 8}
    for path in paths:
        if path.endswith(suffix):
            with contextlib.suppress(FileNotFoundError):
                info = os.lstat(path)
                if stat.S_ISSOCK(info.st_mode) and info.st_uid == os.getuid():
                    os.unlink(path)


def _die(message: str) -> None:
    """Say why on stderr (the pool's log for this instance), then end the whole group."""
    print(f"docgen pdf server: {message}", file=sys.stderr, flush=True)
    os.killpg(0, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, type=Path)
    parser.add_argument("--start-timeout", type=float, default=30.0)
    parser.add_argument("soffice", nargs="+", help="the soffice command and its flags")
    args = parser.parse_args()

    threading.Thread(target=_watch_lifeline, name="lifeline", daemon=True).start()

    import uno  # noqa: F401  (installs the import hook for com.sun.star)
    from com.sun.star.lang import DisposedException

    workdir: Path = args.dir
    _Office.workdir = workdir
    (workdir / "tmp").mkdir(exist_ok=True)
    pipe = f"docgen-{secrets.token_hex(16)}"
    soffice = subprocess.Popen(
        [*args.soffice, f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL,
    )

    deadline = time.monotonic() + args.start_timeout
    converter = None
    last_error = ""
    while converter is None:
        if soffice.poll() is not None:
            _die(f"soffice exited with status {soffice.returncode} before accepting jobs")
        if time.monotonic() > deadline:
            _die(
                f"soffice did not accept connections within {args.start_timeout} s "
                f"(last error: {last_error})"
            )
        try:
            converter = _Connection(pipe)
        except Exception as exc:  # NoConnectException until soffice listens
            last_error = str(exc)
            time.sleep(0.05)
    _close_pipe_path(pipe)
    _Office.converter, _Office.soffice = converter, soffice

    def convert(data: bytes, pdfa: bool) -> transport.Reply:
        job = Path(tempfile.mkdtemp(dir=workdir / "tmp"))
        try:
            source, target = job / "document.docx", job / "document.pdf"
            source.write_bytes(data)
            _export(converter.desktop, source, target, pdfa=pdfa)
            return transport.Reply(200, target.read_bytes(), {"Content-Type": "application/pdf"})
        except Exception as exc:
            message = str(exc) if isinstance(exc, Unreadable) else f"{type(exc).__name__}: {exc}"
            with contextlib.suppress(subprocess.TimeoutExpired):
                soffice.wait(0.5)
            if soffice.returncode is not None or isinstance(exc, DisposedException):
                return transport.error_reply(502, "instance-lost", message)
            if isinstance(exc, Unreadable):
                return transport.error_reply(422, "unreadable", message)
            return transport.error_reply(500, "document", message)
        finally:
            shutil.rmtree(job, ignore_errors=True)

    def app(request: transport.Request) -> transport.Reply:
        if request.method == "POST" and request.path == "/convert":
            return convert(request.body, request.query.get("pdfa") == "1")
        if request.method == "GET" and request.path == "/ping":
            return transport.json_reply(200, alive=soffice.poll() is None)
        return transport.error_reply(404, "not-found", f"no {request.method} {request.path}")

    # One request at a time: one job per instance; no read timeout (the pool is the only
    # client, and it bounds each job itself).
    socket_path = workdir / "rpc.sock"
    server = transport.UnixServer(socket_path, app, read_timeout=None)
    ready = workdir / "ready.json"
    ready.with_suffix(".tmp").write_text(
        json.dumps({"socket": str(socket_path), "soffice_pid": soffice.pid})
    )
    ready.with_suffix(".tmp").replace(ready)
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()

    status = soffice.wait()
    if _Office.closing:  # the lifeline closed it: let that thread finish cleaning up
        threading.Event().wait()
    _die(f"soffice exited with status {status}")


if __name__ == "__main__":
    main()

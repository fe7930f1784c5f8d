"""One warm LibreOffice: the ``instance_server.py`` process group, its socket, its directory.

Every instance is its own process group (the server script, ``oosplash`` and
``soffice.bin``) with a private directory (mode 0700) holding its LibreOffice profile, its
temporary files, its log and the Unix socket it listens on (``rpc.sock``, see
``transport.py``); it converts one document at a time. The pool keeps the write end of a
pipe on each server's standard input: when the pool's process dies, even by SIGKILL, the
kernel closes it and the server shuts its group down, so no ``soffice`` outlives the
process that started it.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from docgen.convert import transport
from docgen.convert.flags import soffice_command
from docgen.errors import ConversionFailed, MalformedInput

log = logging.getLogger(__name__)

SERVER_SCRIPT = Path(__file__).with_name("instance_server.py")
START_TIMEOUT = 30.0


class PoolUnavailable(ConversionFailed):
    """The pool cannot run here: no uno Python, no soffice, or no instance would start."""


class InstanceLost(Exception):
    """LibreOffice died under a job: restart the instance and try once more."""


def group_members(pgid: int) -> list[tuple[int, str]]:
    """List ``(pid, command name)`` of the live processes in process group ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            line = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
        comm = line[line.index("(") + 1 : line.rindex(")")]
        fields = line[line.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append((int(entry.name), comm))
    return members


def ipc_sockets(pids: list[int]) -> list[str]:
    """Return the ``/tmp/OSL_PIPE_*`` sockets these processes listen on.

    LibreOffice always puts its single-instance socket in /tmp (not under TMPDIR) and
    removes it only on a clean exit: after killing an instance we remove it ourselves.
    """
    inodes = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if link.startswith("socket:["):
                        inodes.add(link[len("socket:[") : -1])
    paths = []
    with open("/proc/net/unix") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if len(fields) >= 8 and fields[6] in inodes and "/OSL_PIPE_" in fields[7]:
                paths.append(fields[7])
    return paths


class Instance:
    """One warm LibreOffice: a server process group, its socket and its private directory."""

    def __init__(self, index: int, pool_dir: Path, python: str, soffice: str):
        self.index = index
        self._pool_dir = pool_dir
        self._python = python
        self._soffice = soffice
        self._proc: subprocess.Popen[bytes] | None = None
        self._lifeline: int | None = None
        self.dir: Path | None = None
        self.socket: str | None = None
        self.soffice_pid: int | None = None
        self._ipc: list[str] = []
        self.jobs = 0
        self.starts = 0

    @property
    def pgid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def office_pids(self) -> list[int]:
        """Return the pids of this instance's ``soffice.bin`` (the process doing the work)."""
        pgid = self.pgid
        return [pid for pid, comm in group_members(pgid) if comm == "soffice.bin"] if pgid else []

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the server and its soffice; return once it takes jobs."""
        self.kill()
        # A server that shuts down removes the pool's directory when it was the last one in it.
        self._pool_dir.mkdir(mode=0o700, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix=f"instance{self.index}-", dir=self._pool_dir))
        try:
            transport.check_socket_path(self.dir / "rpc.sock")
        except ValueError as exc:
            self.kill()
            raise PoolUnavailable(str(exc)) from exc
        env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
        env["TMPDIR"] = str(self.dir / "tmp")
        (self.dir / "tmp").mkdir()
        read_end, self._lifeline = os.pipe()
        try:
            with open(self.dir / "server.log", "wb") as logfile:
                proc = self._proc = subprocess.Popen(
                    [
                        self._python,
                        str(SERVER_SCRIPT),
                        "--dir",
                        str(self.dir),
                        "--start-timeout",
                        str(timeout),
                        "--",
                        *soffice_command(self._soffice, self.dir / "profile"),
                    ],
                    stdin=read_end,
                    stdout=logfile,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    env=env,
                    cwd=self.dir,
                )
        except OSError as exc:
            self.kill()
            raise PoolUnavailable(f"cannot run {self._python}: {exc}") from exc
        finally:
            os.close(read_end)
        self.starts += 1
        self.jobs = 0
        ready = self.dir / "ready.json"
        deadline = time.monotonic() + timeout + 5
        while not ready.exists():
            # ``proc``, not ``self._proc``: stop() may kill this instance meanwhile.
            if proc.poll() is not None or time.monotonic() > deadline:
                said = self.log_tail()
                self.kill()
                raise ConversionFailed(
                    f"LibreOffice instance {self.index} did not start: "
                    f"{said or 'it printed nothing'}"
                )
            time.sleep(0.02)
        try:
            info = json.loads(ready.read_text())
        except (OSError, ValueError) as exc:  # removed by a concurrent stop()
            self.kill()
            raise ConversionFailed(f"LibreOffice instance {self.index} was stopped") from exc
        self.socket, self.soffice_pid = info["socket"], info["soffice_pid"]
        self._ipc = ipc_sockets(self.office_pids())
        log.debug("LibreOffice instance %d ready on %s", self.index, self.socket)

    def kill(self, *, graceful: bool = False) -> None:
        """End the whole process group and remove its directory.

        ``graceful`` first closes the lifeline, so that the server closes LibreOffice
        properly (up to 3 s); then, or straight away, the group is killed.
        """
        # Take each resource before releasing it: a job thread and stop() may both get here.
        proc, self._proc = self._proc, None
        if proc is not None:
            if graceful:
                self.abandon()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(5)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            # soffice.bin is not our child: wait (briefly) until init has reaped it too.
            deadline = time.monotonic() + 5
            while group_members(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.02)
        ipc, self._ipc = self._ipc, []
        for path in ipc:  # gone already when LibreOffice could close cleanly
            with contextlib.suppress(FileNotFoundError):
                if stat.S_ISSOCK(os.lstat(path).st_mode):
                    os.unlink(path)
        self.abandon()
        workdir, self.dir = self.dir, None
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
        self.socket = self.soffice_pid = None

    def abandon(self) -> None:
        """Drop the lifeline without killing (a forked child must not hold it)."""
        lifeline, self._lifeline = self._lifeline, None
        if lifeline is not None:
            os.close(lifeline)

    def log_tail(self, limit: int = 2000) -> str:
        if self.dir is None:
            return ""
        try:
            text = (self.dir / "server.log").read_bytes()[-limit:]
        except OSError:
            return ""
        return text.decode("utf-8", "replace").strip()

    def convert(self, docx: bytes, *, pdfa: bool, timeout: float) -> bytes:
        """Send one job; map every way it can end to a result or an exception."""
        if self.socket is None:
            raise InstanceLost("the instance is not running")
        address = transport.UNIX_PREFIX + self.socket
        try:
            reply = transport.request(
                address, "POST", f"/convert?pdfa={int(pdfa)}", docx, timeout=timeout
            )
        except TimeoutError as exc:
            self.kill()
            raise ConversionFailed(
                f"LibreOffice did not finish the conversion within {timeout:g} s; "
                f"its instance {self.index} was killed and will be restarted"
            ) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise InstanceLost(f"{type(exc).__name__}: {exc}") from exc
        if reply.status == 200:
            self.jobs += 1
            return reply.body
        answer = reply.json()
        error, detail = answer.get("error"), str(answer.get("detail") or reply.status)
        if error == "instance-lost" or not self.alive():
            raise InstanceLost(detail)
        self.jobs += 1
        if error == "unreadable":
            raise MalformedInput.at("", f"not a DOCX document: {detail}")
        raise ConversionFailed(f"LibreOffice could not convert the document: {detail}")

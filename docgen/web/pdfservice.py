"""The machine's PDF service: one LibreOffice pool behind XML-RPC on a Unix socket.

``docgen serve`` runs ``python -m docgen.web.pdfservice`` once, beside its gunicorn
workers, with a pipe on standard input: end of file there (the server stopped, or died
however it died) stops the pool and ends this process. It listens on the Unix socket
named by ``--socket`` (in a folder only the service's user can enter; see
``docgen.documents.pdf.unixrpc``), never on a TCP port, and writes ``{"socket", "pid"}``
as JSON to the file named by ``--ready-file`` once the pool takes jobs. Requests are served by
threads; the pool's own gate bounds the queue and answers ``Busy`` beyond it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import xmlrpc.client
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docgen.config import ConfigError, Settings
from docgen.documents.pdf import OneShotConverter, PdfPool, PoolUnavailable
from docgen.documents.pdf.unixrpc import ThreadingUnixXMLRPCServer
from docgen.errors import DocgenError
from docgen.web.converter import error_to_fault

log = logging.getLogger("docgen.web.pdfservice")


def serve(ready_file: Path, socket_path: Path, config: Mapping[str, Any]) -> None:
    pool: PdfPool | OneShotConverter = PdfPool(config=config)
    try:
        pool.start()
    except PoolUnavailable as exc:
        log.warning("LibreOffice pool unavailable (%s): one-shot soffice per document", exc)
        pool = OneShotConverter(config=config)

    def convert(data: xmlrpc.client.Binary, pdfa: bool = False,
                batch: bool = False) -> xmlrpc.client.Binary:
        try:
            return xmlrpc.client.Binary(pool.convert(data.data, pdfa=bool(pdfa),
                                                     batch=bool(batch)))
        except DocgenError as exc:
            raise error_to_fault(exc) from None

    def ready() -> bool:
        if isinstance(pool, PdfPool):
            return any(instance.alive() for instance in pool.instances)
        return True

    server = ThreadingUnixXMLRPCServer(socket_path)
    server.register_function(convert)
    server.register_function(ready)
    partial = ready_file.with_suffix(".partial")
    partial.write_text(json.dumps({"socket": str(socket_path), "pid": os.getpid()}))
    partial.replace(ready_file)
    threading.Thread(target=server.serve_forever, name="xmlrpc", daemon=True).start()
    # Block until the parent closes our stdin: that is the only way to stop.
    while os.read(0, 4096):
        pass
    server.shutdown()
    server.server_close()
    socket_path.unlink(missing_ok=True)
    if isinstance(pool, PdfPool):
        pool.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ready-file", required=True, type=Path)
    parser.add_argument("--socket", required=True, type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s [pdf] %(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.load()  # this process's settings, built once (the PDF_* ones)
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    serve(args.ready_file, args.socket, settings.as_config())
    return 0


if __name__ == "__main__":
    sys.exit(main())

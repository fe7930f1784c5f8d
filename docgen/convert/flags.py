"""The one set of ``soffice`` flags, for the warm instances and the one-shot fallback alike.

Standard library only: ``instance_server.py`` imports this module from its own folder in
the uno Python, outside docgen's environment.
"""

from __future__ import annotations

from pathlib import Path

# Headless, no dialogs, no crash reporter, no first-start wizard, no document recovery, no
# lock files: a converter nobody sees, whose profile is private to it.
SOFFICE_FLAGS = (
    "--headless",
    "--invisible",
    "--nocrashreport",
    "--nodefault",
    "--nologo",
    "--nofirststartwizard",
    "--norestore",
    "--nolockcheck",
)

# writer_pdf_Export's SelectPdfVersion: 2 is PDF/A-2b.
PDFA_VERSION = 2
# The same option as JSON, for ``--convert-to`` (LibreOffice 7.4 and later).
PDFA_FILTER = f'{{"SelectPdfVersion":{{"type":"long","value":"{PDFA_VERSION}"}}}}'


def soffice_command(program: str, profile: Path, *extra: str) -> list[str]:
    """``program`` with the flags and a private profile folder, then ``extra``."""
    return [program, *SOFFICE_FLAGS, f"-env:UserInstallation={profile.as_uri()}", *extra]

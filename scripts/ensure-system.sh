#!/usr/bin/env bash
# Install the Debian packages docgen needs when they are missing (idempotent).
# As root this runs apt-get; otherwise it prints exactly what to install.
set -euo pipefail

packages=(
  libreoffice-writer-nogui  # DOCX -> PDF conversion
  python3-uno               # LibreOffice's Python bridge, for the warm unoserver pool
  python3-venv              # the pool's small venv (.venv-uno) over Debian's python3
  fonts-dejavu fonts-liberation2 fonts-crosextra-carlito fonts-crosextra-caladea
  poppler-utils             # pdftoppm / pdftotext, used by the tests to look at PDFs
  qpdf                      # a second, independent PDF tool for the forms tests
  nodejs                    # pdf.js under Node (tools/pdfjs), a partner's Firefox in the forms tests
  postgresql                # a real PostgreSQL server, started by the service's tests
  redis-server              # the queue across machines (QUEUE_URL=redis://...), started by the scale tests
  tesseract-ocr tesseract-ocr-ron tesseract-ocr-eng  # OCR of scanned forms
  chromium                  # the browser the web pages are tested in (through Playwright)
)

missing=()
for p in "${packages[@]}"; do
  [[ "$p" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Debian packs npm apart from nodejs; other builds of nodejs (NodeSource's) bring their own
# and conflict with Debian's npm package: ask for it only when there is no npm at all.
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "docgen needs these Debian packages; install them as root:" >&2
  echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

"""The converter's tests that start a whole ``docgen serve`` use the web tests' helpers
(tests/web/served.py); ``templates_dir`` comes from tests/apps.py, a plugin of every test."""

from __future__ import annotations

import sys
from pathlib import Path

WEB_TESTS = Path(__file__).resolve().parents[1] / "web"
if str(WEB_TESTS) not in sys.path:
    sys.path.insert(0, str(WEB_TESTS))

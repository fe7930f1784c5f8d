"""Several docgen nodes and workers as separate processes, on real servers on loopback."""

from __future__ import annotations

import sys
from pathlib import Path

# The served-service helpers (tests/web/served.py) and the Redis fixture (tests/).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

pytest_plugins = ["redis_server"]

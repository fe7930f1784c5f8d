"""The deploy/ recipes: the multi-node layout, one command per role, settings that exist.

No container is started here (the machine has no Docker daemon in CI); the files are read
as docker compose and systemd read them.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import yaml

from docgen.config import DEFAULTS

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# Settings of the queue and of the remote converters, written by other parts of issue 17.
PENDING = {"QUEUE_URL"}


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def test_compose_has_the_multi_node_layout():
    services = _compose()["services"]
    assert {"postgres", "redis", "web1", "web2", "worker", "converter"} <= set(services)
    commands = {name: " ".join(s.get("command", [])) for name, s in services.items()}
    assert commands["web1"].startswith("docgen serve") and commands["web2"] == commands["web1"]
    assert commands["worker"] == "docgen worker"
    assert commands["converter"].startswith("docgen convert-server")
    nodes = [services[name] for name in ("web1", "web2", "worker", "converter")]
    secrets = {s["environment"]["DOCGEN_SECRET_KEY"] for s in nodes}
    databases = {s["environment"]["DOCGEN_DATABASE_URL"] for s in nodes}
    assert len(secrets) == 1 and len(databases) == 1  # the same on every node
    assert all(s["environment"]["DOCGEN_STORAGE_URL"] == "database" for s in nodes)
    published = [name for name, s in services.items() if s.get("ports")]
    assert published == ["nginx"]


def test_every_setting_named_in_deploy_exists():
    named = set(
        re.findall(
            r"DOCGEN_([A-Z_]+)", "".join(p.read_text() for p in DEPLOY.rglob("*") if p.is_file())
        )
    )
    named -= {"HTTP_PORT", "PROJECT_ROOT"}  # compose's own variable; read by config.py
    assert named - set(DEFAULTS) - PENDING == set()


def test_systemd_units_run_each_role():
    starts = {}
    for unit in (DEPLOY / "systemd").glob("*.service"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str
        parser.read_string(unit.read_text())
        service = parser["Service"]
        assert service["User"] == "docgen" and service["EnvironmentFile"]
        assert service["NoNewPrivileges"] == "yes"
        starts[unit.stem] = service["ExecStart"].split("/bin/", 1)[1]
    assert starts["docgen-web"].startswith("docgen serve")
    assert starts["docgen-worker"] == "docgen worker"
    assert starts["docgen-convert"].startswith("docgen convert-server")

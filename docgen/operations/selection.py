"""Rank: the candidates of a selection ranked by a criteria set of the regulations, with
their lists and deadlines; places may be named by registry agreement."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from docgen.operations.registry import selection_places
from docgen.rules.selection import rank_candidates


def needs_registry(data: Any) -> bool:
    """Whether the request names its places by agreement (so the registry must be open)."""
    return isinstance(data, dict) and "agreements" in data


def rank(session: Session | None, data: Any) -> dict[str, Any]:
    """Ranking, lists and deadlines, as the API, the pages and ``docgen selection rank``
    give them. A request naming agreements needs the registry's ``session``."""
    if needs_registry(data):
        if session is None:
            raise RuntimeError("the places are named by agreement: open the registry")
        data = selection_places(session, data)
    return rank_candidates(data)

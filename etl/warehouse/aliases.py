"""Corpus-wide entity links: a surname entity to the one full name it abbreviates in the warehouse.

Inside an article, "Blair" already resolves to "Tony Blair" when the article names him in full
(``etl.nlp.entities``). An article that says only "Blair" (or "President Reagan") keeps an entity
of its own; this step links it to the full-name entity, recomputed over the whole warehouse after
each run (``link_entities``), so the links depend on what the warehouse holds, never on the order
it was loaded in. Entity ids do not change: a link is a row of ``entity_aliases``.

Rules: a PERSON (or a one-word non-place entity spaCy mislabelled) whose name is the last word(s)
of PERSON full names at least as frequent as itself links to the one such name, or to the one
that holds at least ``DOMINANCE`` of their mentions (the namesake trap: "Clinton" with both Hillary and Bill in the corpus links to
neither unless one dominates, or unless the alias shares a role with only one of them:
"Secretary of State Clinton"). Places are never linked to people ("Washington").
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa
import sqlalchemy as sa

from etl.settings import Settings
from etl.warehouse.schema import SQL_TABLES, arrow_schema

logger = logging.getLogger(__name__)

TABLE = "entity_aliases"
# labels whose surname-like names may stand for a person; places named after people stay places
LINKABLE_LABELS = frozenset({"PERSON", "ORG", "PRODUCT", "FAC", "WORK_OF_ART", "NORP", "EVENT"})
# share of the candidates' mentions the chosen full name must hold when there are namesakes
DOMINANCE = 0.9


@dataclass(frozen=True, slots=True)
class EntityCount:
    entity_id: str
    canonical_name: str
    label: str
    mentions: int


def _may_alias(e: EntityCount) -> bool:
    """A name that may stand for a fuller PERSON name: capitalised, not an acronym, and (when
    spaCy did not call it a person) one word."""
    name = e.canonical_name
    if e.label not in LINKABLE_LABELS or not name[:1].isupper() or (name.isupper() and len(name) > 1):
        return False
    return e.label == "PERSON" or len(name.split()) == 1


def _by_role(alias_roles: set[str], candidates: Sequence[EntityCount], roles: Mapping[str, set[str]]) -> EntityCount | None:
    """The one namesake sharing a role with the alias ("Secretary of State Clinton"), if only one does."""
    if not alias_roles:
        return None
    sharing = [c for c in candidates if alias_roles & roles.get(c.entity_id, set())]
    return sharing[0] if len(sharing) == 1 else None


def compute_aliases(
    entities: Iterable[EntityCount], roles: Mapping[str, set[str]] | None = None
) -> list[dict[str, object]]:
    """``entity_aliases`` rows for a set of entities with their mention counts and normalised roles
    (``entity_id -> {role_norm}``); pure, and free of the order entities come in."""
    roles = roles or {}
    entities = sorted(entities, key=lambda e: e.entity_id)
    by_suffix: dict[tuple[str, ...], list[EntityCount]] = defaultdict(list)
    for e in entities:
        words = tuple(e.canonical_name.casefold().split())
        if e.label == "PERSON" and len(words) > 1:
            for k in range(1, len(words)):
                by_suffix[words[-k:]].append(e)
    rows: list[dict[str, object]] = []
    for e in entities:
        if not _may_alias(e):
            continue
        words = tuple(e.canonical_name.casefold().split())
        # the full name is the usual form: a rarer longer name is a mislabelled span ("Briton Tim Henman")
        candidates = [
            c for c in by_suffix.get(words, []) if len(c.canonical_name.split()) > len(words) and c.mentions >= e.mentions
        ]
        if not candidates:
            continue
        total = sum(c.mentions for c in candidates)
        best = max(candidates, key=lambda c: (c.mentions, c.entity_id))
        rule = "surname" if len(candidates) == 1 else "dominant surname"
        if len(candidates) > 1 and best.mentions < DOMINANCE * total:
            by_role = _by_role(roles.get(e.entity_id, set()), candidates, roles)
            if by_role is None:
                continue
            best, rule = by_role, "role"
        rows.append(
            {
                "alias_entity_id": e.entity_id,
                "canonical_entity_id": best.entity_id,
                "alias_name": e.canonical_name,
                "canonical_name": best.canonical_name,
                "rule": rule,
                "candidates": len(candidates),
            }
        )
    return rows


def _sql_counts(conn: sa.Connection) -> list[EntityCount]:
    e, m = SQL_TABLES["entities"], SQL_TABLES["mentions"]
    query = (
        sa.select(e.c.entity_id, e.c.canonical_name, e.c.label, sa.func.count(m.c.entity_id))
        .select_from(e.outerjoin(m, m.c.entity_id == e.c.entity_id))
        .group_by(e.c.entity_id, e.c.canonical_name, e.c.label)
    )
    return [EntityCount(*row) for row in conn.execute(query)]


def _roles(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for entity_id, role in pairs:
        out[entity_id].add(role)
    return out


def refresh_sql(engine: sa.Engine) -> list[dict[str, object]]:
    """Recompute ``entity_aliases`` in the database in one transaction; returns its rows."""
    table, r = SQL_TABLES[TABLE], SQL_TABLES["entity_roles"]
    with engine.begin() as conn:
        roles = _roles((a, b) for a, b in conn.execute(sa.select(r.c.entity_id, r.c.role_norm).distinct()))
        rows = compute_aliases(_sql_counts(conn), roles)
        conn.execute(sa.delete(table))
        if rows:
            conn.execute(table.insert(), rows)
    return rows


def link_entities(settings: Settings) -> int:
    """The post-load step: recompute the links from the SQL store (the system of record), then write
    the same rows to ``<parquet>/entity_aliases/part-0.parquet`` (one file, not split by batch)."""
    from etl.warehouse.sql import make_engine

    engine = make_engine(settings.db_url)
    try:
        rows = refresh_sql(engine)
    finally:
        engine.dispose()
    settings.parquet_root.write_parquet(pa.Table.from_pylist(rows, schema=arrow_schema(TABLE)), f"{TABLE}/part-0.parquet")
    logger.info("entity links recomputed: %d aliases", len(rows))
    return len(rows)

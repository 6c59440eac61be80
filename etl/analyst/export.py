"""Who said what, as rows an analyst can filter and take away (``news-etl quotes``).

The rows come from the ``who_said_what`` view joined to ``quotes``. Each output column is a
``Field`` with one or more SQL expressions, each naming the schema columns it needs; the first
whose columns exist is used, and a field none of whose columns exist is left out. So a column
added to the schema (the day a statement was made, the speaker's role) appears here by adding
one alternative, and this module works on warehouses from before and after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from etl.analyst.query import Result, query
from etl.warehouse.schema import BY_NAME


@dataclass(frozen=True)
class Field:
    name: str
    # (SQL expression over w = who_said_what and q = quotes, the "table.column"s it needs)
    choices: tuple[tuple[str, tuple[str, ...]], ...]

    def expression(self) -> str | None:
        for sql, needs in self.choices:
            if all(has_column(need) for need in needs):
                return sql
        return None


def has_column(ref: str) -> bool:
    table, _, column = ref.partition(".")
    return table in BY_NAME and column in BY_NAME[table].column_names


PUBLISHED_ON = "CAST(w.published_at AS DATE)"
# the day the statement was made when the extractor knows it, else the day it was published
DATE = Field("date", ((f"COALESCE(w.said_on, {PUBLISHED_ON})", ("quotes.said_on",)), (PUBLISHED_ON, ())))

FIELDS: tuple[Field, ...] = (
    DATE,
    Field("speaker", (("w.speaker", ()),)),
    Field("role", (("w.speaker_role", ("entity_roles.role_norm",)),)),
    Field("quote", (("w.quote_text", ()),)),
    Field("kind", (("w.kind", ()),)),
    Field("cue", (("w.cue_text", ()),)),
    Field("confidence", (("ROUND(w.confidence, 3)", ()),)),
    Field("title", (("w.title", ()),)),
    Field("outlet", (("w.outlet", ()),)),
    Field("source_uri", (("w.source_uri", ()),)),
    Field("article_id", (("w.article_id", ()),)),
    Field("quote_id", (("w.quote_id", ()),)),
)

# quotes whose content holds a mention of a matching entity
_MENTIONS_ENTITY = """EXISTS (
    SELECT 1 FROM mentions m JOIN entities e ON e.entity_id = m.entity_id
    WHERE m.article_id = q.article_id AND m.start_char >= q.quote_start AND m.end_char <= q.quote_end
      AND contains(lower(e.canonical_name), lower(?)))"""


@dataclass(frozen=True)
class QuoteFilter:
    """Case-insensitive substrings of the speaker's and an entity's name; dates inclusive."""

    speaker: str | None = None
    entity: str | None = None
    since: date | None = None
    until: date | None = None


def quotes_sql(filters: QuoteFilter) -> tuple[str, list[object]]:
    """The export's SQL and its parameters."""
    columns = [(f.name, sql) for f in FIELDS if (sql := f.expression()) is not None]
    day = DATE.expression()
    where: list[str] = []
    params: list[object] = []
    if filters.speaker:
        where.append("contains(lower(w.speaker), lower(?))")
        params.append(filters.speaker)
    if filters.entity:
        where.append(_MENTIONS_ENTITY)
        params.append(filters.entity)
    if filters.since:
        where.append(f"{day} >= ?")
        params.append(filters.since)
    if filters.until:
        where.append(f"{day} <= ?")
        params.append(filters.until)
    select = ",\n    ".join(f"{sql} AS {name}" for name, sql in columns)
    sql = f"SELECT\n    {select}\nFROM who_said_what w\nJOIN quotes q ON q.quote_id = w.quote_id"
    if where:
        sql += "\nWHERE " + "\n  AND ".join(where)
    sql += f"\nORDER BY {day} NULLS LAST, w.outlet NULLS LAST, w.article_id, q.quote_start"
    return sql, params


def export_quotes(con: duckdb.DuckDBPyConnection, filters: QuoteFilter) -> Result:
    sql, params = quotes_sql(filters)
    return query(con, sql, params)

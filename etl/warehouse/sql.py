"""SQL store through SQLAlchemy: embedded SQLite by default, PostgreSQL in production.

The SQL store is the warehouse's system of record: a load is one transaction that decides what
changes (see ``etl.warehouse.change``), applies it, and records the load in ``loads``; the Parquet
copy then applies exactly the same change. Rules of a load:

* the superseded files' ledger rows and rejects go; their articles go too, unless another ledger
  row still refers to them (another file holds the same article), or the package brings them anew
  (then they are replaced);
* the package's articles that another batch already stores are kept where they are (the ledger
  records them as ``already_stored``), so no article is ever stored twice, and none is ever
  dropped because some other batch holds it;
* entities stay while any mention refers to them; a stored entity the package spells otherwise
  takes the best spelling of all the warehouse's mentions (``etl.warehouse.package.best_spelling``),
  so names do not depend on the load order;
* every batch the load touched gets its ``batches`` row recounted (or removed when left empty).

On PostgreSQL a load first takes a transaction-scoped advisory lock, so loads from several machines
into one database run one after the other: they never double an article, never fail on a key
another load inserted, and never deadlock. Rows go in with COPY (psycopg 3), fed CSV that Arrow
writes, with no Python per row.
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from etl.errors import WarehouseUnavailable
from etl.ledger import Known
from etl.settings import redact_url
from etl.warehouse import migrate
from etl.warehouse.change import Applied, Change
from etl.warehouse.package import Package, best_spelling, with_partition
from etl.warehouse.schema import ARTICLE_TABLES, BY_NAME, COUNTED, PACKAGE_TABLES, PARTITION, SQL_TABLES
from etl.warehouse.store import Capabilities

logger = logging.getLogger(__name__)

_IN_CHUNK = 500
# pg_advisory_xact_lock key shared by every news-etl load ("news" in ASCII)
_LOAD_LOCK = 0x6E657773


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, pool_pre_ping=True, connect_args={"timeout": 60})

        @sa.event.listens_for(engine, "connect")
        def _wal(dbapi_conn: Any, _record: Any) -> None:  # readers never wait for the loader
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _chunks(items: Sequence[Any], size: int = _IN_CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


_CSV = pacsv.WriteOptions(include_header=False, quoting_style="needed", batch_size=8192)
# rows per CSV chunk streamed into COPY
_COPY_CHUNK = 65536


def _copyable(table: pa.Table) -> pa.Table:
    """Binary columns as PostgreSQL's bytea hex text (``\\x...``); CSV has no binary."""
    for i, f in enumerate(table.schema):
        if pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type):
            hexed = pa.array([None if v is None else "\\x" + v.hex() for v in table.column(i).to_pylist()], pa.string())
            table = table.set_column(i, f.name, hexed)
    return table


def insert_arrow(conn: Connection, name: str, table: pa.Table) -> None:
    """Insert an Arrow table's rows. On PostgreSQL through COPY, the rows written as CSV by Arrow's
    C++ writer (no Python per row: CSV keeps NULL and the empty string apart), in chunks."""
    if table.num_rows == 0:
        return
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None
        columns = ", ".join(f'"{c}"' for c in table.column_names)
        table = _copyable(table)
        with raw.cursor() as cur, cur.copy(f'COPY "{name}" ({columns}) FROM STDIN (FORMAT csv)') as copy:
            for start in range(0, table.num_rows, _COPY_CHUNK):
                buf = io.BytesIO()
                pacsv.write_csv(table.slice(start, _COPY_CHUNK), buf, _CSV)
                copy.write(buf.getbuffer())
    else:
        conn.execute(SQL_TABLES[name].insert(), table.to_pylist())


def _keep(table: pa.Table, column: str, drop: set[str]) -> pa.Table:
    if not drop or table.num_rows == 0:
        return table
    mask = pc.invert(pc.is_in(table[column], value_set=pa.array(sorted(drop), pa.string())))
    return table.filter(mask)


class SqlStore:
    """The system of record (``etl.warehouse.store.SystemOfRecord``) on SQLite or PostgreSQL."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        postgres = self.engine.dialect.name == "postgresql"
        self.capabilities = Capabilities(shared=postgres, bulk_load=postgres)

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.engine.dispose()

    def check(self) -> None:
        """Fail fast, and clearly, when the database cannot be reached."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except OperationalError as exc:
            raise WarehouseUnavailable(f"cannot reach the database at {redact_url(self.url)}: {exc.orig}") from exc

    def migrate(self) -> None:
        self.check()
        migrate.upgrade(self.engine)

    # ------------------------------------------------------------ queries

    @staticmethod
    def _select_in(conn: Connection, name: str, columns: list[str], key: str, values: Iterable[str]) -> list[Any]:
        table = SQL_TABLES[name]
        values = sorted(set(values))
        out: list[Any] = []
        for chunk in _chunks(values):
            out.extend(conn.execute(sa.select(*(table.c[c] for c in columns)).where(table.c[key].in_(chunk))).all())
        return out

    @staticmethod
    def _delete_in(conn: Connection, name: str, key: str, values: Iterable[str]) -> None:
        table = SQL_TABLES[name]
        for chunk in _chunks(sorted(set(values))):
            conn.execute(sa.delete(table).where(table.c[key].in_(chunk)))

    def known_files(self, uris: Iterable[str]) -> dict[str, Known]:
        """The ledger's fingerprint of each of ``uris`` it knows."""
        with self.engine.connect() as conn:
            rows = self._select_in(conn, "inputs", ["file_uri", "size", "mtime_ns", "file_hash"], "file_uri", uris)
        return {r.file_uri: Known(int(r.size), int(r.mtime_ns), r.file_hash) for r in rows}

    def files_under(self, roots: Iterable[str]) -> set[str]:
        """Every file the ledger holds under the given root names."""
        inputs = SQL_TABLES["inputs"]
        found: set[str] = set()
        with self.engine.connect() as conn:
            for root in roots:
                pattern = root.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"
                query = sa.select(inputs.c.file_uri).where(inputs.c.file_uri.like(pattern, escape="\\")).distinct()
                found.update(conn.execute(query).scalars())
        return found

    def stored_articles(self, article_ids: Iterable[str]) -> set[str]:
        with self.engine.connect() as conn:
            return {r.article_id for r in self._select_in(conn, "articles", ["article_id"], "article_id", article_ids)}

    def near_candidates(self, band_keys: list[str]) -> list[tuple[str, bytes, str | None]]:
        """Stored articles sharing a band key: (article_id, signature, near_duplicate_of)."""
        bands, sigs, articles = SQL_TABLES["signature_bands"], SQL_TABLES["signatures"], SQL_TABLES["articles"]
        query = (
            sa.select(sigs.c.article_id, sigs.c.signature, articles.c.near_duplicate_of)
            .join(articles, articles.c.article_id == sigs.c.article_id)
            .where(sigs.c.article_id.in_(sa.select(bands.c.article_id).where(bands.c.band_key.in_(band_keys))))
        )
        with self.engine.connect() as conn:
            return [(r.article_id, bytes(r.signature), r.near_duplicate_of) for r in conn.execute(query)]

    def committed_loads(self, load_ids: Iterable[str]) -> set[str]:
        with self.engine.connect() as conn:
            return {r.load_id for r in self._select_in(conn, "loads", ["load_id"], "load_id", load_ids)}

    def files_in_batch(self, batch_id: str) -> set[str]:
        """The files whose ledger rows the batch holds."""
        inputs = SQL_TABLES["inputs"]
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(inputs.c.file_uri).where(inputs.c[PARTITION] == batch_id).distinct()).scalars())

    def batch_rows(self) -> dict[str, dict[str, Any]]:
        with self.engine.connect() as conn:
            return {r["batch_id"]: dict(r) for r in conn.execute(sa.select(SQL_TABLES["batches"])).mappings()}

    # ------------------------------------------------------------ the load

    def load(self, change: Change, stage: Callable[[Applied], object] | None = None) -> Applied:
        """Apply ``change`` in one transaction; ``stage`` runs just before the commit (Parquet writes)."""
        pkg = change.package
        applied = Applied(change.load_id, pkg.batch_id if pkg else None)
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOAD_LOCK})
            self._supersede(conn, change, applied)
            self._recount(conn, applied, change.run_id)
            conn.execute(
                SQL_TABLES["loads"].insert(),
                {
                    "load_id": change.load_id,
                    "run_id": change.run_id,
                    "committed_at": datetime.now(UTC),
                    "batches": " ".join(applied.batches),
                },
            )
            if stage is not None:
                stage(applied)
        return applied

    def _supersede(self, conn: Connection, change: Change, applied: Applied) -> None:
        pkg = change.package
        removed = applied.removed
        files = sorted(change.replaced_files)
        old = self._select_in(conn, "inputs", ["source_uri", PARTITION, "article_id"], "file_uri", files)
        for r in old:
            removed[r.batch_id]["inputs"].add(r.source_uri)
        self._delete_in(conn, "inputs", "file_uri", files)
        old_uris = [r.source_uri for r in old]
        for r in self._select_in(conn, "rejects", [PARTITION, "source_uri"], "source_uri", old_uris):
            removed[r.batch_id]["rejects"].add(r.source_uri)
        self._delete_in(conn, "rejects", "source_uri", old_uris)

        tables = dict(pkg.tables) if pkg else {}
        new_ids = set(tables["articles"]["article_id"].to_pylist()) if pkg else set()
        refs = {a for a in tables["inputs"]["article_id"].to_pylist() if a} if pkg else set()
        candidates = {r.article_id for r in old if r.article_id}
        unsure = candidates - new_ids - refs
        still = {r.article_id for r in self._select_in(conn, "inputs", ["article_id"], "article_id", unsure)}
        drop = {a for a in candidates if a in new_ids or a not in (still | refs)}
        where = {r.article_id: r.batch_id for r in self._select_in(conn, "articles", ["article_id", PARTITION], "article_id", drop | new_ids)}
        drop &= set(where)
        entity_candidates = {r.entity_id for r in self._select_in(conn, "mentions", ["entity_id"], "article_id", drop)}
        for a in drop:
            for t in ARTICLE_TABLES:
                removed[where[a]][t].add(a)
        for t in ARTICLE_TABLES:
            self._delete_in(conn, t, BY_NAME[t].article_key or "article_id", drop)
        already = {a for a in new_ids if a in where and a not in drop}

        new_entities = set(tables["entities"]["entity_id"].to_pylist()) if pkg else set()
        if entity_candidates:
            referenced = {r.entity_id for r in self._select_in(conn, "mentions", ["entity_id"], "entity_id", entity_candidates)}
            gone = entity_candidates - referenced - new_entities
            for r in self._select_in(conn, "entities", ["entity_id", PARTITION], "entity_id", gone):
                removed[r.batch_id]["entities"].add(r.entity_id)
            self._delete_in(conn, "entities", "entity_id", gone)
        if pkg is None:
            applied.counts = {"removed_articles": len(drop)}
            return
        stored = {r.entity_id: r for r in self._select_in(conn, "entities", ["entity_id", "canonical_name", PARTITION], "entity_id", new_entities)}
        existing = set(stored)
        for t in ARTICLE_TABLES:
            tables[t] = _keep(tables[t], BY_NAME[t].article_key or "article_id", already)
        tables["entities"] = _keep(tables["entities"], "entity_id", existing)
        inputs = tables["inputs"]
        if already and inputs.num_rows:
            outcome = inputs["outcome"]
            moved = pc.and_(pc.equal(outcome, "stored"), pc.is_in(inputs["article_id"], value_set=pa.array(sorted(already), pa.string())))
            outcome = pc.if_else(pc.fill_null(moved, False), pa.scalar("already_stored"), outcome)
            tables["inputs"] = inputs.set_column(inputs.schema.get_field_index("outcome"), "outcome", outcome)
        for t in PACKAGE_TABLES:
            insert_arrow(conn, t, with_partition(tables[t], pkg.batch_id))
        tables["entities"] = self._respell(conn, pkg, stored, tables["entities"], applied)
        applied.inserted = {t: tables[t] for t in PACKAGE_TABLES}
        applied.counts = {t: tables[t].num_rows for t in COUNTED}
        applied.counts.update(
            skipped_existing=len(already), replaced_articles=len(drop & new_ids), removed_articles=len(drop - new_ids)
        )

    def _respell(self, conn: Connection, pkg: Package, stored: dict[str, Any], kept: pa.Table, applied: Applied) -> pa.Table:
        """A stored entity the package spells otherwise takes the best spelling of the whole
        warehouse's mentions (``best_spelling``, counted after this load's rows went in): its row
        moves to this batch under that name, in SQL here and in Parquet by ``applied``. Returns the
        batch's entities rows: those ``kept`` (new to the warehouse) and the moved ones."""
        offered = pkg.tables["entities"]
        names = dict(zip(offered["entity_id"].to_pylist(), offered["canonical_name"].to_pylist(), strict=True))
        differ = sorted(i for i, r in stored.items() if names[i] != r.canonical_name)
        texts: dict[str, dict[str, int]] = defaultdict(dict)
        m = SQL_TABLES["mentions"]
        for chunk in _chunks(differ):
            query = sa.select(m.c.entity_id, m.c.text, sa.func.count()).where(m.c.entity_id.in_(chunk)).group_by(m.c.entity_id, m.c.text)
            for entity_id, text, n in conn.execute(query):
                texts[entity_id][text] = int(n)
        moved = {}
        for i in differ:
            best = best_spelling([stored[i].canonical_name, names[i]], texts[i])
            if best != stored[i].canonical_name:
                moved[i] = best
                applied.removed[stored[i].batch_id]["entities"].add(i)
        if not moved:
            return kept
        self._delete_in(conn, "entities", "entity_id", moved)
        rows = offered.filter(pc.is_in(offered["entity_id"], value_set=pa.array(sorted(moved), pa.string())))
        column = rows.schema.get_field_index("canonical_name")
        rows = rows.set_column(column, rows.schema.field(column), pa.array([moved[i] for i in rows["entity_id"].to_pylist()], pa.string()))
        insert_arrow(conn, "entities", with_partition(rows, pkg.batch_id))
        return pa.concat_tables([kept, rows])

    def _recount(self, conn: Connection, applied: Applied, run_id: str) -> None:
        affected = sorted(set(applied.removed) | ({applied.batch_id} if applied.batch_id else set()))
        if not affected:
            return
        counts: dict[str, dict[str, int]] = {b: dict.fromkeys(COUNTED, 0) for b in affected}
        for t in COUNTED:
            table = SQL_TABLES[t]
            for chunk in _chunks(affected):
                query = (
                    sa.select(table.c[PARTITION], sa.func.count())
                    .where(table.c[PARTITION].in_(chunk))
                    .group_by(table.c[PARTITION])
                )
                for batch, n in conn.execute(query).all():
                    counts[batch][t] = int(n)
        batches = SQL_TABLES["batches"]
        self._delete_in(conn, "batches", PARTITION, affected)
        now = datetime.now(UTC)
        for b in affected:
            if not any(counts[b].values()):
                applied.batch_rows[b] = None
                continue
            row: dict[str, object] = {PARTITION: b, "run_id": run_id, "loaded_at": now, **counts[b], "load_id": applied.load_id}
            conn.execute(batches.insert(), row)
            applied.batch_rows[b] = row

    # ------------------------------------------------------------ runs

    def record_run(self, row: dict[str, object]) -> None:
        runs = SQL_TABLES["runs"]
        with self.engine.begin() as conn:
            conn.execute(sa.delete(runs).where(runs.c.run_id == row["run_id"]))
            conn.execute(runs.insert(), row)

    def running_runs(self) -> list[dict[str, Any]]:
        runs = SQL_TABLES["runs"]
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.select(runs).where(runs.c.status == "running")).mappings()]

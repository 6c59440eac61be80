"""Benchmark: loading rows into PostgreSQL, news-etl's Arrow COPY against psql's \\copy of the same rows.

Both load the same rows into the same empty table of a throwaway PostgreSQL cluster (started
here, as the tests start theirs): psql reads a CSV file, news-etl streams the Arrow table through
``etl.warehouse.sql.insert_arrow`` inside a transaction. Best of 3 each, alternating.
ratio = psql time / news-etl time (goal >= 0.8).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from etl.warehouse.schema import SQL_TABLES, arrow_schema, metadata  # noqa: E402
from etl.warehouse.sql import insert_arrow, make_engine  # noqa: E402
from tests import pg  # noqa: E402


def sentences(rows: int) -> pa.Table:
    """``rows`` sentence rows (the warehouse's largest table), with realistic widths."""
    idx = pa.array(range(rows), pa.int64())
    article = pc.binary_join_element_wise(pa.scalar("a"), pc.cast(pc.divide(idx, 20), pa.string()), "")
    text = pc.binary_join_element_wise(
        pa.scalar("The council of the town said on Monday that budget number"), pc.cast(idx, pa.string()),
        pa.scalar("was approved, with \u201cevery library open\u201d."), " ",
    )
    schema = arrow_schema("sentences")
    return pa.table(
        {
            "article_id": article,
            "sentence_idx": pc.subtract(idx, pc.multiply(pc.divide(idx, 20), 20)),
            "paragraph_idx": pa.array([0] * rows, pa.int64()),
            "start_char": idx,
            "end_char": pc.add(idx, 90),
            "text": text,
            "word_count": pa.array([16] * rows, pa.int64()),
            "batch_id": pa.array(["b-1"] * rows, pa.string()),
        },
        schema=schema,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    table = sentences(args.rows)
    with pg.throwaway_cluster() as server, tempfile.TemporaryDirectory() as tmp:
        url = pg.create_database(server)
        engine = make_engine(url)
        metadata.create_all(engine, tables=[SQL_TABLES["sentences"]])
        csv = Path(tmp) / "rows.csv"
        pacsv.write_csv(table, csv, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
        psql_url = url.replace("postgresql+psycopg://", "postgresql://")
        columns = ", ".join(table.column_names)
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(3):
            with engine.begin() as conn:
                conn.execute(sa.text("TRUNCATE sentences"))
            t0 = time.perf_counter()
            with engine.begin() as conn:
                insert_arrow(conn, "sentences", table)
            ours.append(time.perf_counter() - t0)
            with engine.begin() as conn:
                conn.execute(sa.text("TRUNCATE sentences"))
            t0 = time.perf_counter()
            subprocess.run(["psql", psql_url, "-q", "-c", f"\\copy sentences ({columns}) FROM '{csv}' CSV"], check=True)
            theirs.append(time.perf_counter() - t0)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT COUNT(*) FROM sentences")).scalar_one() == args.rows
        engine.dispose()
    print(f"{args.rows:,} sentence rows into PostgreSQL, best of 3: news-etl {min(ours):.2f} s, psql \\copy {min(theirs):.2f} s")
    print(f"COPY ratio psql/news-etl:      {min(theirs) / min(ours):.3f}   (goal >= 0.8)")


if __name__ == "__main__":
    main()

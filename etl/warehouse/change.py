"""What one load transaction changes, as the SQL store decided it, for every store to apply.

A load brings a package (the new batch's rows) and the input files it supersedes. The SQL store
works out, inside its transaction, which rows that means: the rows it inserts for the new batch,
and the rows it removes from older batches (the superseded files' ledger rows and rejects, their
articles once no ledger row refers to them any more, entities no mention refers to). The Parquet
store then applies exactly that, so both stores agree by construction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyarrow as pa

from etl.warehouse.package import Package
from etl.warehouse.schema import BY_NAME


def drop_key(table: str) -> str:
    """The column a load removes a table's rows by."""
    t = BY_NAME[table]
    if t.article_key:
        return t.article_key
    return {"entities": "entity_id", "rejects": "source_uri", "inputs": "source_uri"}[table]


@dataclass
class Change:
    """A load's request: a package (possibly empty) and the files whose old rows it replaces."""

    load_id: str
    run_id: str
    package: Package | None = None
    # files whose earlier rows go: the package's own files, and files pruned as gone
    replaced_files: set[str] = field(default_factory=set)


@dataclass
class Applied:
    """A load's outcome, to apply to the other stores."""

    load_id: str
    batch_id: str | None
    # rows inserted into the new batch, per table (without the partition column)
    inserted: dict[str, pa.Table] = field(default_factory=dict)
    # batch -> table -> key values removed from it
    removed: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    # batch -> its `batches` row after the load, or None when the batch is left empty
    batch_rows: dict[str, dict[str, object] | None] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def batches(self) -> list[str]:
        return sorted(self.batch_rows)

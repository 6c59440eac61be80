"""The input ledger: which input files the warehouse already holds, so a run pays only for new work.

Every file a run reads gets ledger rows (table ``inputs``, one per record) in the same transaction
as its batch, with its fingerprint: size and modification time first, then a content hash. Before
reading anything, a run compares each discovered file against the ledger:

* same size and mtime as recorded: unchanged, skipped without being opened;
* otherwise the file is hashed; the same hash: unchanged (touched only), skipped;
* a new hash, or a file the ledger does not know: read, and its new rows replace its old ones.

``force`` reads every file again. Files the ledger knows under a run's roots that are gone are
kept unless the run prunes them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from etl.records import InputFile

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Known:
    """A file's fingerprint as the ledger recorded it."""

    size: int
    mtime_ns: int
    file_hash: str


def file_hash(path: object) -> str:
    """BLAKE2b-128 of a file's bytes, read in chunks."""
    h = hashlib.blake2b(digest_size=16)
    with path.open("rb") if hasattr(path, "open") else open(path, "rb") as fh:  # type: ignore[call-overload]
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Plan:
    """What a run will read (with hashes), and what it skips."""

    todo: list[InputFile] = field(default_factory=list)
    unchanged: list[InputFile] = field(default_factory=list)


def plan(files: Iterable[InputFile], known: Mapping[str, Known], force: bool = False) -> Plan:
    """Split discovered files into the ones to read and the unchanged ones."""
    out = Plan()
    for f in files:
        before = known.get(f.uri)
        if before is not None and not force and (before.size, before.mtime_ns) == (f.size, f.mtime_ns):
            out.unchanged.append(replace(f, file_hash=before.file_hash))
            continue
        try:
            digest = file_hash(f.path)
        except OSError:
            digest = ""  # the reader reports why it cannot read the file
        f = replace(f, file_hash=digest)
        if before is not None and not force and digest and digest == before.file_hash:
            out.unchanged.append(f)
        else:
            out.todo.append(f)
    return out

"""Where bytes live: a folder or an object-store prefix, behind one small file interface.

A warehouse is named by a path or a URL: ``warehouse``, ``/data/wh``, ``file:///data/wh``,
``s3://bucket/prefix`` or ``gs://bucket/prefix``. Files are reached through pyarrow's filesystems
(``pyarrow.fs``), so Parquet, load packages, manifests and listings use one code path whatever the
storage, in the same layout (``<warehouse>/parquet/<table>/...``).

Credentials and endpoints come from the standard variables (``AWS_ENDPOINT_URL``,
``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``; Google's application
default credentials), or from ``storage_options`` in the settings, passed to the filesystem as
keyword arguments (e.g. ``{endpoint_override = "http://minio:9000", region = "eu-west-1"}``).

Every write appears whole or not at all. In a folder, a file is written under a hidden temporary
name, synced and renamed into place. An object store has no rename, but an object becomes visible
only when its upload completes, so a single upload is already atomic; ``replace`` is a server-side
copy onto the destination key (atomic for readers of that key) followed by deleting the source.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from etl.errors import ConfigError

# URL schemes with the pyarrow filesystem class that serves them; anything else is a local path
_FILESYSTEMS: dict[str, str] = {"s3": "S3FileSystem", "gs": "GcsFileSystem", "gcs": "GcsFileSystem"}


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")


def is_url(text: str) -> bool:
    """True for ``scheme://...`` (object stores and ``file://``), False for plain paths."""
    return bool(_SCHEME.match(text))


def is_remote(text: str) -> bool:
    """True for an object-store URL; ``file://`` URLs and plain paths are local."""
    return is_url(text) and not text.lower().startswith("file://")


def replace_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write`` on a hidden temporary beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class Location:
    """A folder (local or in an object store); relative names use ``/`` whatever the storage."""

    fs: pafs.FileSystem = field(repr=False, compare=False)
    root: str  # the folder's path inside ``fs``: an absolute path, or ``bucket/prefix``
    url: str  # how it is named to users

    # ------------------------------------------------------------ naming

    @property
    def local(self) -> bool:
        return isinstance(self.fs, pafs.LocalFileSystem)

    @property
    def path(self) -> Path:
        """The folder as a local path; an error for an object store."""
        if not self.local:
            raise ConfigError(f"{self.url} is in an object store, not a local folder")
        return Path(self.root)

    def key(self, rel: str = "") -> str:
        """The full path inside the filesystem of ``rel`` (a name relative to this folder)."""
        rel = rel.strip("/")
        return f"{self.root}/{rel}" if rel else self.root

    def __truediv__(self, rel: str) -> Location:
        rel = str(rel).strip("/")
        return Location(self.fs, self.key(rel), f"{self.url.rstrip('/')}/{rel}")

    def __str__(self) -> str:
        return self.url

    # ------------------------------------------------------------ reading

    def _info(self, rel: str = "") -> pafs.FileInfo:
        return self.fs.get_file_info(self.key(rel))

    def exists(self, rel: str = "") -> bool:
        return self._info(rel).type != pafs.FileType.NotFound

    def is_file(self, rel: str = "") -> bool:
        return self._info(rel).type == pafs.FileType.File

    def read_bytes(self, rel: str = "") -> bytes:
        try:
            with self.fs.open_input_stream(self.key(rel)) as fh:
                return fh.read()
        except FileNotFoundError:
            raise
        except OSError as exc:
            if not self.exists(rel):
                raise FileNotFoundError(f"no file at {self / rel if rel else self}") from exc
            raise

    def read_json(self, rel: str = "") -> Any:
        return json.loads(self.read_bytes(rel))

    def read_parquet(self, rel: str = "", schema: pa.Schema | None = None) -> pa.Table:
        return pq.read_table(self.key(rel), filesystem=self.fs, schema=schema)

    def num_rows(self, rel: str) -> int:
        with self.fs.open_input_file(self.key(rel)) as fh:
            return int(pq.ParquetFile(fh).metadata.num_rows)

    def entries(self, rel: str = "", recursive: bool = True) -> list[tuple[str, int, int]]:
        """(name relative to this folder, size, mtime in ns) of the files under ``rel``, sorted by
        name; none when it is missing."""
        infos = self.fs.get_file_info(pafs.FileSelector(self.key(rel), allow_not_found=True, recursive=recursive))
        prefix = self.root.rstrip("/") + "/"
        return sorted(
            (i.path.removeprefix(prefix), int(i.size or 0), int(i.mtime_ns or 0)) for i in infos if i.type == pafs.FileType.File
        )

    def files(self, rel: str = "", recursive: bool = True) -> list[str]:
        """Names (relative to this folder) of the files under ``rel``, sorted; none when it is missing."""
        return [name for name, _, _ in self.entries(rel, recursive)]

    def entry(self, rel: str) -> tuple[int, int] | None:
        """Size and mtime (ns) of one file, or None when there is no file by that name."""
        info = self._info(rel)
        return (int(info.size or 0), int(info.mtime_ns or 0)) if info.type == pafs.FileType.File else None

    # ------------------------------------------------------------ writing

    def makedirs(self, rel: str = "") -> None:
        self.fs.create_dir(self.key(rel), recursive=True)

    def write_bytes(self, data: bytes, rel: str = "") -> None:
        """Write a whole file: a reader sees the old content or the new, never part of it."""
        key = self.key(rel)
        if not self.local:
            with self.fs.open_output_stream(key) as out:  # visible once the upload completes
                out.write(data)
            return
        replace_atomically(Path(key), lambda tmp: tmp.write_bytes(data))

    def write_json(self, payload: object, rel: str = "") -> None:
        self.write_bytes(json.dumps(payload, indent=2).encode("utf-8"), rel)

    def write_parquet(self, table: pa.Table, rel: str = "") -> None:
        if self.local:
            replace_atomically(Path(self.key(rel)), lambda tmp: pq.write_table(table, tmp, compression="zstd"))
            return
        # built in memory, then one upload: a writer that fails half-way leaves no object at all
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        self.write_bytes(sink.getvalue().to_pybytes(), rel)

    def replace(self, src: str, dst: str) -> None:
        """Move ``src`` onto ``dst``: readers of ``dst`` see the old file or the new one."""
        if self.local:
            os.replace(self.key(src), self.key(dst))
            return
        self.fs.copy_file(self.key(src), self.key(dst))
        self.delete(src)

    def delete(self, rel: str = "") -> None:
        """Delete a file; nothing happens when it is not there."""
        try:
            self.fs.delete_file(self.key(rel))
        except FileNotFoundError:
            pass
        except OSError:
            if self.exists(rel):
                raise
        if self.local:
            _prune_empty(Path(self.key(rel)).parent, Path(self.root))

    def delete_tree(self, rel: str = "") -> None:
        """Delete a folder and everything under it; nothing happens when it is not there."""
        if self.exists(rel):
            self.fs.delete_dir(self.key(rel))


def _s3_environment() -> dict[str, Any]:
    """S3 options from the standard variables that pyarrow's constructor does not read itself."""
    options: dict[str, Any] = {}
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        options["endpoint_override"] = endpoint
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        options["region"] = region
    return options


def _prune_empty(folder: Path, stop: Path) -> None:
    """Remove empty folders from ``folder`` up to (not including) ``stop``."""
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def location(where: str | os.PathLike[str] | Location, storage_options: dict[str, Any] | None = None) -> Location:
    """The Location a path or URL names (``s3://``, ``gs://``, ``file://`` or a plain path)."""
    if isinstance(where, Location):
        return where
    text = os.fspath(where)
    if not is_url(text):
        root = Path(os.path.expanduser(text)).absolute()
        return Location(pafs.LocalFileSystem(), root.as_posix(), text)
    parsed = urlparse(text)
    scheme = parsed.scheme.lower()
    if scheme == "file":
        root = Path(unquote(parsed.path)).absolute()
        return Location(pafs.LocalFileSystem(), root.as_posix(), text)
    if scheme not in _FILESYSTEMS:
        known = ", ".join(sorted({"file", *_FILESYSTEMS}))
        raise ConfigError(f"unsupported warehouse URL {text!r}: use a path or one of {known}://")
    bucket, prefix = parsed.netloc, parsed.path.strip("/")
    if not bucket:
        raise ConfigError(f"warehouse URL {text!r} has no bucket: use {scheme}://bucket/prefix")
    options = dict(storage_options or {})
    if scheme == "s3":
        options = {**_s3_environment(), **options}
    try:
        fs = getattr(pafs, _FILESYSTEMS[scheme])(**options)
    except TypeError as exc:
        raise ConfigError(f"bad storage_options for {scheme}://: {exc}") from None
    return Location(fs, f"{bucket}/{prefix}" if prefix else bucket, text.rstrip("/"))


@dataclass(frozen=True)
class RemoteFile:
    """A file in an object store, with the few ``Path`` methods the readers and the ledger use."""

    where: Location  # its folder
    rel: str  # its name under the folder

    @property
    def name(self) -> str:
        return self.rel.rsplit("/", 1)[-1]

    def open(self, mode: str = "rb") -> Any:
        if mode != "rb":
            raise ValueError(f"{self} can only be read")
        return self.where.fs.open_input_file(self.where.key(self.rel))  # seekable, an io.IOBase

    def as_posix(self) -> str:
        return str(self)

    def absolute(self) -> RemoteFile:
        return self

    def resolve(self) -> RemoteFile:
        return self

    def __str__(self) -> str:
        return f"{self.where.url.rstrip('/')}/{self.rel}"


def input_path(text: str, storage_options: dict[str, Any] | None = None) -> Path | RemoteFile:
    """An input file named by a path or an object-store URL (as shard listings store them)."""
    if not is_remote(text):
        return location(text).path
    folder, _, name = text.rstrip("/").rpartition("/")
    return RemoteFile(location(folder, storage_options), name)

"""Find the input files of a run: folders (recursively), single files and globs.

Every file gets a name that is unique across the run's roots: ``<root name>/<path under the
root>``, so ``a/x.txt`` and ``b/x.txt`` stay two inputs and a nightly landing folder keeps its date
(``2013-02-26/story.txt``). When two roots share a name (``/x/data`` and ``/y/data``), their parent
folders are added until the names differ. Names that are not valid UTF-8 are escaped
(``caf\\xe9.txt``), never crashed on.

Nothing here raises on what it finds: a folder that cannot be read, a symlink loop or a broken
link becomes a ``Reject`` with its reason. A missing input root raises ``FileNotFoundError``: that
is a mistake in the command, not bad input.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath

from etl.ingest.base import STAGE
from etl.records import InputFile, Reject
from etl.storage import RemoteFile, is_remote, is_url, location

_GLOB_CHARS = re.compile(r"[*?\[]")


def _safe(text: str) -> str:
    """A path string as valid UTF-8: undecodable bytes (surrogate-escaped) become ``\\xNN``."""
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def _hidden(parts: Sequence[str]) -> bool:
    return any(part.startswith((".", "_")) for part in parts)


def _selected(rel: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """``--include``/``--exclude`` globs, matched against the path under the root from the right."""
    path = PurePosixPath(rel)
    if include and not any(path.match(p) for p in include):
        return False
    return not any(path.match(p) for p in exclude)


def glob_root(pattern: str) -> Path:
    """The folder a glob is rooted at: its longest prefix without wildcards."""
    fixed: list[str] = []
    for part in Path(pattern).parts:
        if _GLOB_CHARS.search(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _labels(roots: Sequence[Path]) -> dict[Path, str]:
    """A name per root, unique among them: the folder's name, with parents added on a clash."""
    depth = {root: 1 for root in roots}
    while True:
        names = {root: "/".join(_safe(p) for p in root.parts[-depth[root] :] if p != "/") or "root" for root in roots}
        clashes = {n for n in names.values() if list(names.values()).count(n) > 1}
        grow = [r for r in roots if names[r] in clashes and depth[r] < len(r.parts)]
        if not grow:
            return names
        for root in grow:
            depth[root] += 1


def _file(path: Path, uri: str) -> InputFile | Reject:
    try:
        st = path.stat()
    except OSError as exc:
        reason = "broken symlink" if path.is_symlink() else f"unreadable file: {exc.strerror or exc}"
        return Reject(uri, STAGE, reason)
    return InputFile(path, uri, st.st_size, st.st_mtime_ns)


def _walk(root: Path, label: str, include: Sequence[str], exclude: Sequence[str]) -> Iterator[InputFile | Reject]:
    """Files under ``root`` in a stable order; symlinked folders are followed once, loops reported."""
    seen: set[tuple[int, int]] = set()

    def uri(path: Path) -> str:
        rel = path.relative_to(root).as_posix()
        return f"{label}/{_safe(rel)}" if rel != "." else label

    def visit(folder: Path) -> Iterator[InputFile | Reject]:
        try:
            st = folder.stat()
        except OSError as exc:
            yield Reject(uri(folder), STAGE, f"unreadable folder: {exc.strerror or exc}")
            return
        key = (st.st_dev, st.st_ino)
        if key in seen:
            yield Reject(uri(folder), STAGE, f"symlink loop: {folder} leads back to a folder already read")
            return
        seen.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield Reject(uri(folder), STAGE, f"unreadable folder: {exc.strerror or exc}")
            return
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError:
                is_dir = False
            if is_dir:
                yield from visit(path)
            elif _selected(path.relative_to(root).as_posix(), include, exclude):
                yield _file(path, uri(path))

    yield from visit(root)


_Plan = tuple[Path, list[Path] | None, bool]  # (root, a glob's matches or a file, from a glob)


def _plan_sources(sources: Iterable[Path | str], missing_ok: bool) -> tuple[list[_Plan], dict[Path, str]]:
    plans: list[_Plan] = []
    for source in sources:
        text = os.path.expanduser(str(source))
        if _GLOB_CHARS.search(text):
            matches = [Path(m) for m in sorted(glob.glob(text, recursive=True))]
            if not matches and not missing_ok:
                raise FileNotFoundError(f"no input matches {text!r}")
            plans.append((glob_root(text).absolute(), matches, True))
            continue
        path = Path(text)
        if not path.exists() and not path.is_symlink():
            if missing_ok:
                continue
            raise FileNotFoundError(f"input path does not exist: {path}")
        if path.is_dir():
            plans.append((path.absolute(), None, False))
        else:
            plans.append((path.absolute().parent, [path], False))
    return plans, _labels(list(dict.fromkeys(root for root, _, _ in plans)))


def _local(source: Path | str) -> Path | str:
    text = str(source)
    return location(text).path if is_url(text) else source


def _remote_label(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def root_names(sources: Iterable[Path | str], missing_ok: bool = True) -> list[str]:
    """The names the sources' files are filed under: the scope that ``--prune`` may touch."""
    sources = list(sources)
    remote = {_remote_label(str(s)) for s in sources if is_remote(str(s))}
    local = [_local(s) for s in sources if not is_remote(str(s))]
    return sorted(remote | set(_plan_sources(local, missing_ok)[1].values()))


def _discover_remote(url: str, include: Sequence[str], exclude: Sequence[str], missing_ok: bool) -> Iterator[InputFile | Reject]:
    """The files under an object-store prefix (``s3://bucket/inputs``), or the one object it names."""
    from etl.settings import Settings

    options = Settings().storage_options
    where = location(url, options)
    label = _remote_label(url)
    found = where.entries()
    if not found:
        parent, _, name = url.rstrip("/").rpartition("/")
        folder = location(parent, options)
        single = folder.entry(name)
        if single is None:
            if missing_ok:
                return
            raise FileNotFoundError(f"input path does not exist: {url}")
        yield InputFile(RemoteFile(folder, name), f"{_remote_label(parent)}/{_safe(name)}", *single)
        return
    for rel, size, mtime in found:
        if _hidden(PurePosixPath(rel).parts) or not _selected(rel, include, exclude):
            continue
        yield InputFile(RemoteFile(where, rel), f"{label}/{_safe(rel)}", size, mtime)


def discover(
    sources: Iterable[Path | str],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    missing_ok: bool = False,
) -> Iterator[InputFile | Reject]:
    """Every input file under ``sources`` once (by real path), in a stable order, with its unique name.

    A source is a folder (read recursively; hidden entries, with a leading dot or underscore, are
    skipped), a file, a glob (``bbc/*/*.txt``, named from its fixed prefix), or an object-store
    prefix or object (``s3://bucket/inputs``, named from its last part). ``missing_ok`` makes
    a missing source an empty one.
    """
    sources = list(sources)
    for source in sources:
        if is_remote(str(source)):
            yield from _discover_remote(str(source), include, exclude, missing_ok)
    plans, labels = _plan_sources([_local(s) for s in sources if not is_remote(str(s))], missing_ok)
    seen: set[Path | RemoteFile] = set()
    for root, explicit, from_glob in plans:
        label = labels[root]
        if explicit is None:
            found: Iterable[InputFile | Reject] = _walk(root, label, include, exclude)
        elif from_glob:
            found = _explicit(root, label, explicit, include, exclude)
        else:  # a file named on its own is read whatever its name
            found = [_file(explicit[0].absolute(), f"{label}/{_safe(explicit[0].name)}")]
        for item in found:
            if isinstance(item, InputFile):
                real = item.path.resolve()
                if real in seen:
                    continue
                seen.add(real)
            yield item


def _explicit(
    root: Path, label: str, paths: list[Path], include: Sequence[str], exclude: Sequence[str]
) -> Iterator[InputFile | Reject]:
    for path in paths:
        path = path.absolute()
        if path.is_dir():
            sub = path.relative_to(root).as_posix()
            yield from _walk(path, f"{label}/{_safe(sub)}" if sub != "." else label, include, exclude)
            continue
        rel = path.relative_to(root).as_posix()
        if _hidden(PurePosixPath(rel).parts) or not _selected(rel, include, exclude):
            continue
        yield _file(path, f"{label}/{_safe(rel)}")

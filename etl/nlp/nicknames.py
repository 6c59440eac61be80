"""First names that are one name: a nickname and the name it shortens ("Chuck" and "Charles",
"Bob" and "Robert"), from the ``nicknames`` package's table of some 1,100 English names."""

from __future__ import annotations

import functools

from nicknames import NickNamer

from etl.nlp.aliases import fold


@functools.cache
def _namer() -> NickNamer:
    return NickNamer()


def same_first_name(a: str, b: str) -> bool:
    """Whether two first names are one, accents and case aside: equal, or one a nickname of the
    other, and shorter ("Chuck Grassley" is Charles Grassley). Two short forms are not ("Fred"
    and "Will" of Wilfred, "Al" and "Alex")."""
    a, b = fold(a).strip("."), fold(b).strip(".")
    if a == b:
        return True
    if len(a) < 2 or len(b) < 2:
        return False
    short, full = sorted((a, b), key=len)
    # the table lists each way round and some pairs of short forms ("Will" and "Fred" of
    # Wilfred): a nickname is the shorter
    return len(short) < len(full) and full in _namer().canonicals_of(short)

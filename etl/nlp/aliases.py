"""Names that mean the same entity: a small declared alias table and acronyms of full names.

Entity ids derive from the canonical name, so mapping an alias to its canonical form here merges
it with every other mention of that entity across the corpus, whatever the load order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# alias (as written, dots and case kept) -> (canonical name, label)
ALIASES: dict[str, tuple[str, str]] = {
    "US": ("United States", "GPE"),
    "U.S.": ("United States", "GPE"),
    "U.S": ("United States", "GPE"),
    "USA": ("United States", "GPE"),
    "U.S.A.": ("United States", "GPE"),
    "United States of America": ("United States", "GPE"),
    "UK": ("Britain", "GPE"),
    "U.K.": ("Britain", "GPE"),
    "United Kingdom": ("Britain", "GPE"),
    "Great Britain": ("Britain", "GPE"),
    "Britain": ("Britain", "GPE"),
    "AP": ("Associated Press", "ORG"),
    "Associated Press": ("Associated Press", "ORG"),
    "UN": ("United Nations", "ORG"),
    "U.N.": ("United Nations", "ORG"),
    "EU": ("European Union", "ORG"),
    "E.U.": ("European Union", "ORG"),
    "UAE": ("United Arab Emirates", "GPE"),
    "USSR": ("Soviet Union", "GPE"),
    "Soviet Union": ("Soviet Union", "GPE"),
    "GOP": ("Republican Party", "ORG"),
    "FBI": ("Federal Bureau of Investigation", "ORG"),
    "CIA": ("Central Intelligence Agency", "ORG"),
    "NHS": ("National Health Service", "ORG"),
    "BBC": ("BBC", "ORG"),
    "British Broadcasting Corporation": ("BBC", "ORG"),
}

_ACRONYM = re.compile(r"^(?:[A-Z]\.?){2,6}$")
_MINOR = frozenset({"of", "the", "and", "for", "&", "on", "in", "de"})


def alias(name: str) -> tuple[str, str] | None:
    """``(canonical name, label)`` for a declared alias, else None."""
    return ALIASES.get(name)


def is_acronym(name: str) -> bool:
    return bool(_ACRONYM.match(name))


def initials(name: str) -> str:
    """``Federal Bureau of Investigation`` -> ``FBI``: the capitals of its words, minor words skipped."""
    return "".join(w[0] for w in name.replace("-", " ").split() if w.lower() not in _MINOR and w[:1].isupper())


def expand_acronym(name: str, full_names: Iterable[str]) -> str | None:
    """The one full name among ``full_names`` whose initials spell the acronym ``name``."""
    if not is_acronym(name):
        return None
    letters = name.replace(".", "")
    found = {f for f in full_names if len(f.split()) >= 2 and initials(f) == letters}
    return found.pop() if len(found) == 1 else None


def fold(name: str) -> str:
    """Case and accents aside: "François Hollande" and "Francois Hollande" read alike."""
    return "".join(c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c))

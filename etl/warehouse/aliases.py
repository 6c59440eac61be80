"""Corpus-wide entity links: a surname entity to the one full name it abbreviates in the warehouse.

Inside an article, "Blair" already resolves to "Tony Blair" when the article names him in full
(``etl.nlp.entities``). An article that says only "Blair" (or "President Reagan") keeps an entity
of its own; this step links it to the full-name entity, recomputed over the whole warehouse after
each run (``link_entities``), so the links depend on what the warehouse holds, never on the order
it was loaded in. Entity ids do not change: a link is a row of ``entity_aliases``.

Full-name variants link first: one name under several spellings (accents: "Francois
Hollande") to its most frequent one; a longer PERSON name whose last two or more words are a PERSON
name at least ``PREFIX_DOMINANCE`` times as frequent ("Billionaire Donald Trump", "Briton Tim
Henman": a capitalised word glued to the name), or whose first and last words are a two-word
PERSON name at least as frequent, when it is the only such longer form ("Hillary Rodham Clinton",
"Lindsey O. Graham"; "George H.W. Bush" and "George W. Bush" share "George Bush" and stay apart).

A first name alone ("Hillary", "Bernie") links to the one full name it begins that holds
``DOMINANCE`` of such names' mentions and is more frequent than it.

Then surnames: a PERSON (or a one-word non-place entity spaCy mislabelled) whose name is the last word(s)
of PERSON full names at least as frequent as itself (for a one-word PERSON: of full names written as a
person's, with a first name of a wide dictionary or an initial, however rare, up to ``RARER_FULL_NAME`` times: wire
copy names "Ronald Reagan" once and says "President Reagan" after; or the one of them sharing a role
with it, in any company: "President Reagan" and "President Ronald Reagan") links to the one such name, or to the one
that holds at least ``DOMINANCE`` of their mentions (the namesake trap: "Clinton" with both Hillary and Bill in the corpus links to
neither unless one dominates, or unless the alias shares a role with only one of them:
"Secretary of State Clinton", or unless the stories naming the alias share far more of their other
entities with one of them: context). Places are never linked to people ("Washington").
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime

import pyarrow as pa
import sqlalchemy as sa

from etl.nlp.aliases import fold
from etl.nlp.entities import GENERATIONAL_SUFFIXES, NAME_PARTICLES, may_start_person, without_article
from etl.nlp.gender import name_gender
from etl.nlp.nicknames import same_first_name
from etl.settings import Settings
from etl.warehouse.schema import SQL_TABLES, arrow_schema

logger = logging.getLogger(__name__)

TABLE = "entity_aliases"
# labels whose surname-like names may stand for a person; places named after people stay places
LINKABLE_LABELS = frozenset({"PERSON", "ORG", "PRODUCT", "FAC", "WORK_OF_ART", "NORP", "EVENT"})
# share of the candidates' mentions the chosen full name must hold when there are namesakes
DOMINANCE = 0.9
# how much more frequent the name inside a longer PERSON name must be for the longer one to link to it
PREFIX_DOMINANCE = 2.0
# mentions a full name needs before a first name alone may stand for it
FIRST_NAME_MIN = 3
# how many times as frequent as the full names written as a person's a surname may be and still link to them
RARER_FULL_NAME = 100
# ... and how much (rarity-weighted, in nats) most of its stories must share with theirs
RARER_CONTEXT = 6.0
# how many mentions under other labels, per PERSON mention, a one-word name needs to lose its PERSON tag
LABEL_DOMINANCE = 1.0
# context tie-break between namesakes: how much more the chosen one's stories must share with the
# alias's (rarity-weighted) than the next one's, and in how many entities (or story facts) at least
CONTEXT_MARGIN = 3.0
CONTEXT_MIN = 2
# a story's facts (outlet, year) join the context tie-break as pseudo-entities named so
FACT_PREFIX = "story:"


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
    # an acronym is no surname; a person's name in capitals (a headline's "CLINTON") may be one
    initialism = "." in name or len(name) <= 3 or e.label != "PERSON"
    if e.label not in LINKABLE_LABELS or not name[:1].isupper() or (name.isupper() and len(name) > 1 and initialism):
        return False
    return e.label == "PERSON" or len(name.split()) == 1


def _by_role(alias_roles: set[str], candidates: Sequence[EntityCount], roles: Mapping[str, set[str]]) -> EntityCount | None:
    """The one namesake sharing a role with the alias ("Secretary of State Clinton"), if only one does."""
    if not alias_roles:
        return None
    sharing = [c for c in candidates if alias_roles & roles.get(c.entity_id, set())]
    return sharing[0] if len(sharing) == 1 else None




def _by_context(
    alias: EntityCount, candidates: Sequence[EntityCount], articles: Mapping[str, AbstractSet[str]], cast: Mapping[str, frozenset[str]]
) -> EntityCount | None:
    """The one namesake the alias's stories all point to by their company: a story points to the
    namesake whose own stories name the most of its other entities, weighted by rarity (a name in
    every story tells nothing), at least ``CONTEXT_MARGIN`` times the next one's and in
    ``CONTEXT_MIN`` entities. Most of the alias's stories must point, and all to the same one:
    "Campbell" in politics and in football stories is two people, and links to neither."""
    if not all(_written_as_name(c.canonical_name) for c in candidates):
        return None  # "Victoria at Sandy Hook": a span, not a person's name, is no namesake to weigh
    total = max(len(cast), 1)
    own = {alias.entity_id} | {c.entity_id for c in candidates}
    company = {c.entity_id: _company(c.entity_id, articles, cast) - own for c in candidates}
    stories = articles.get(alias.entity_id, frozenset())
    chosen: set[str] = set()
    pointing = 0
    for story in stories:
        names = cast.get(story, frozenset()) - own
        scores = sorted(
            ((sum(math.log(total / _story_count(n, articles)) for n in names & company[c.entity_id]), len(names & company[c.entity_id]), c.entity_id) for c in candidates),
            reverse=True,
        )
        (weight, shared, best), runner_up = scores[0], scores[1][0] if len(scores) > 1 else 0.0
        if shared >= CONTEXT_MIN and weight > 0 and weight >= CONTEXT_MARGIN * runner_up:
            chosen.add(best)
            pointing += 1
    if len(chosen) != 1 or 2 * pointing <= len(stories):
        return None
    (winner,) = chosen
    return next(c for c in candidates if c.entity_id == winner)


def _written_as_name(name: str) -> bool:
    return all(w[:1].isupper() or w in NAME_PARTICLES for w in name.split())


def _company(entity_id: str, articles: Mapping[str, AbstractSet[str]], cast: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """The entities named in the stories that name ``entity_id``."""
    out: set[str] = set()
    for article in articles.get(entity_id, frozenset()):
        out |= cast.get(article, frozenset())
    return frozenset(out)


def _story_count(entity_id: str, articles: Mapping[str, AbstractSet[str]]) -> int:
    return max(len(articles.get(entity_id, frozenset())), 1)


def _words(e: EntityCount) -> tuple[str, ...]:
    words = fold(e.canonical_name).replace(",", " ").split()
    while len(words) > 1 and words[-1] in GENERATIONAL_SUFFIXES:
        words.pop()
    return tuple(words)


def _row(alias: EntityCount, canonical: EntityCount, rule: str, candidates: int) -> dict[str, object]:
    return {
        "alias_entity_id": alias.entity_id,
        "canonical_entity_id": canonical.entity_id,
        "alias_name": alias.canonical_name,
        "canonical_name": canonical.canonical_name,
        "rule": rule,
        "candidates": candidates,
    }


def _first_name(e: EntityCount, candidates: Sequence[EntityCount]) -> EntityCount | None:
    """The full name a first name alone stands for ("Hillary", "Bernie"): the one PERSON name it
    begins that holds nearly all the mentions of such names, twice as frequent as the first name
    alone and mentioned at least ``FIRST_NAME_MIN`` times."""
    if not candidates:
        return None
    best = max(candidates, key=lambda c: (c.mentions, c.entity_id))
    total = sum(c.mentions for c in candidates)
    usual = best.mentions >= max(FIRST_NAME_MIN, PREFIX_DOMINANCE * e.mentions, DOMINANCE * total)
    return best if usual else None


def _rarer_full_names(
    e: EntityCount, longer: Sequence[EntityCount], articles: Mapping[str, AbstractSet[str]], cast: Mapping[str, frozenset[str]]
) -> list[EntityCount]:
    """Full names a surname may stand for although they are rarer than it: wire copy names the
    president in full once and "President Reagan" or "Assad" ever after. Only names written as a
    person's (a first name of the wider dictionary or an initial first, ``may_start_person``:
    "Kiichi Miyazawa" is one, "Wilayat Twitter" none; one written otherwise may be the one meant,
    so then none), for a surname that is no first name itself
    and no other label's name (``_by_label`` comes first), at most ``RARER_FULL_NAME`` times as
    frequent as they are, and in the same company (``_same_company``) when the stories are known."""
    if not longer or name_gender(e.canonical_name) is not None:
        return []
    # all of them, or the one written otherwise may be the one meant ("Rahm Emanuel" beside "Tom Emanuel")
    if not all(may_start_person(c.canonical_name) for c in longer):
        return []
    if e.mentions > RARER_FULL_NAME * sum(c.mentions for c in longer):
        return []
    return list(longer) if not articles or _same_company(e, longer, articles, cast) else []


def _same_company(e: EntityCount, longer: Sequence[EntityCount], articles: Mapping[str, AbstractSet[str]], cast: Mapping[str, frozenset[str]]) -> bool:
    """Most of the surname's stories name, besides it, entities (and story facts) of the full
    names' stories weighing ``RARER_CONTEXT`` by rarity: "Blackburn" in football reports (the club,
    tagged PERSON) shares nothing with Tony Blackburn's showbusiness stories, and stays apart."""
    total = max(len(cast), 1)
    own = {e.entity_id} | {c.entity_id for c in longer}
    company = frozenset().union(*(_company(c.entity_id, articles, cast) for c in longer)) - own
    stories = articles.get(e.entity_id, frozenset())
    agreeing = sum(
        1
        for story in stories
        if sum(math.log(total / _story_count(n, articles)) for n in (cast.get(story, frozenset()) - own) & company) >= RARER_CONTEXT
    )
    return 2 * agreeing > len(stories)


def _sharing_role(e: EntityCount, longer: Sequence[EntityCount], roles: Mapping[str, set[str]]) -> EntityCount | None:
    """The one rarer full name a surname shares a role with: wire copy writes "President Ronald
    Reagan" in a few stories and "President Reagan" in the rest, in any company. Not for a
    surname that is a first name too."""
    if name_gender(e.canonical_name) is not None:
        return None
    return _by_role(roles.get(e.entity_id, set()), longer, roles)


def _by_label(e: EntityCount, others: Sequence[EntityCount], begun: Sequence[EntityCount]) -> EntityCount | None:
    """The entity a one-word PERSON tag ("Politico", "Tass") really is: the same name under
    another label, when the corpus writes it so at least as often as it tags it PERSON and never
    begins or ends a person's full name with it as often (see ``compute_aliases``): one label
    per name, by the evidence across its mentions. A known first name stays a person, and so
    does a name the corpus gives a role (``compute_aliases`` asks)."""
    if not others or name_gender(e.canonical_name) is not None or any(c.mentions >= e.mentions for c in begun):
        return None
    if sum(o.mentions for o in others) < LABEL_DOMINANCE * e.mentions:
        return None
    return max(others, key=lambda o: (o.mentions, o.entity_id))


def _variant_links(people: Sequence[EntityCount]) -> dict[str, tuple[EntityCount, str]]:
    """Longer PERSON names that are variants of a shorter, more usual one: alias id -> (canonical, rule)."""
    by_words = {_words(p): p for p in people}
    extended: dict[tuple[str, str], list[EntityCount]] = defaultdict(list)
    for p in people:
        words = _words(p)
        if len(words) > 2:
            extended[(words[0], words[-1])].append(p)
    links: dict[str, tuple[EntityCount, str]] = {}
    # one name under several spellings (accents): each links to its most frequent spelling
    spellings: dict[tuple[str, ...], list[EntityCount]] = defaultdict(list)
    for p in people:
        spellings[_words(p)].append(p)
    for forms in spellings.values():
        usual = max(forms, key=lambda f: (f.mentions, f.entity_id))
        by_words[_words(usual)] = usual
        for f in forms:
            if f is not usual:
                links[f.entity_id] = (usual, "spelling")
    links.update(_nickname_links([p for p in people if p.entity_id not in links]))
    for p in people:
        words = _words(p)
        if len(words) < 3 or p.entity_id in links:
            continue
        inner = next((by_words[words[-k:]] for k in range(len(words) - 1, 1, -1) if words[-k:] in by_words), None)
        if inner is not None and inner.mentions >= PREFIX_DOMINANCE * p.mentions:
            links[p.entity_id] = (inner, "prefixed name")
            continue
        short = by_words.get((words[0], words[-1]))
        if short is not None and len(extended[(words[0], words[-1])]) == 1:
            # one person under two forms: the rarer form links to the more usual one
            if short.mentions >= p.mentions:
                links[p.entity_id] = (short, "middle name")
            else:
                links[short.entity_id] = (p, "middle name")
    # a target that is itself a variant resolves to its own target
    for alias, (target, rule) in list(links.items()):
        seen = {alias}
        while target.entity_id in links and target.entity_id not in seen:
            seen.add(target.entity_id)
            target = links[target.entity_id][0]
        if target.entity_id == alias:  # two rules linking a pair both ways: the name stays itself
            del links[alias]
        else:
            links[alias] = (target, rule)
    return links


def _suffix(e: EntityCount) -> str:
    words = fold(e.canonical_name).replace(",", " ").split()
    return words[-1] if len(words) > 1 and words[-1] in GENERATIONAL_SUFFIXES else ""


def _nickname_links(people: Sequence[EntityCount]) -> dict[str, tuple[EntityCount, str]]:
    """One person under a nickname and the name it shortens ("Chuck Grassley", "Charles E.
    Grassley"; "Bob Dole", "Robert Dole"): the same surname, the same middle names or none on one
    side, the same generational suffix or one on the full first name only ("Joseph R. Biden Jr."
    is Joe Biden; "Ron Reagan Jr." is not his father), and first names one of which is a
    nickname of the other (``same_first_name``). The rarer links to the more usual,
    and only when one first name answers ("Pat Kennedy" beside Patrick and Patricia: neither)."""
    by_last: dict[str, list[EntityCount]] = defaultdict(list)
    for p in people:
        by_last[_words(p)[-1]].append(p)
    links: dict[str, tuple[EntityCount, str]] = {}
    for p in people:
        words = _words(p)
        answers = []
        for q in by_last[words[-1]]:
            other = _words(q)
            middles = (words[1:-1], other[1:-1])
            if other[0] != words[0] and (middles[0] == middles[1] or not all(middles)) and same_first_name(words[0], other[0]):
                # a suffix on one side only belongs to the full first name ("Joseph R. Biden Jr." is
                # Joe Biden); on the nickname it marks the son ("Ron Reagan Jr." is not Ronald Reagan)
                nick, full = (p, q) if len(words[0]) < len(other[0]) else (q, p)
                if _suffix(p) == _suffix(q) or not _suffix(nick):
                    answers.append(q)
        if len({_words(q)[0] for q in answers}) != 1:
            continue
        usual = max(answers, key=lambda q: (q.mentions, q.entity_id))
        if (usual.mentions, usual.entity_id) > (p.mentions, p.entity_id):
            links[p.entity_id] = (usual, "nickname")
    return links


def story_facts(outlet: str | None, published_at: date | datetime | None) -> frozenset[str]:
    """A story's outlet and year as context for namesakes: "Clinton" in 2016 news is Hillary, in
    1996 news Bill. Prefixed so they never meet an entity id."""
    out = set()
    if outlet:
        out.add(f"{FACT_PREFIX}outlet:{outlet.casefold()}")
    if published_at is not None:
        out.add(f"{FACT_PREFIX}year:{published_at.year}")
    return frozenset(out)


def _with_facts(articles: Mapping[str, AbstractSet[str]], facts: Mapping[str, AbstractSet[str]]) -> Mapping[str, AbstractSet[str]]:
    """``articles`` plus each fact as a pseudo-entity naming the stories it holds for."""
    if not facts:
        return articles
    out: dict[str, set[str]] = defaultdict(set)
    for article, held in facts.items():
        for fact in held:
            out[fact].add(article)
    return {**articles, **out}


def compute_aliases(
    entities: Iterable[EntityCount],
    roles: Mapping[str, set[str]] | None = None,
    articles: Mapping[str, AbstractSet[str]] | None = None,
    facts: Mapping[str, AbstractSet[str]] | None = None,
) -> list[dict[str, object]]:
    """``entity_aliases`` rows for a set of entities with their mention counts, normalised roles
    (``entity_id -> {role_norm}``), the stories naming them (``entity_id -> {article_id}``) and
    the stories' own facts (``article_id -> {story_facts(...)}``: outlet, year), which weigh in the
    context tie-break like the entities a story names; pure, and free of the order entities come in."""
    roles = roles or {}
    articles = _with_facts(articles or {}, facts or {})
    cast_sets: dict[str, set[str]] = defaultdict(set)
    for entity_id, stories in articles.items():
        for article in stories:
            cast_sets[article].add(entity_id)
    cast = {a: frozenset(ids) for a, ids in cast_sets.items()}
    entities = sorted(entities, key=lambda e: e.entity_id)
    people = [e for e in entities if e.label == "PERSON" and len(_words(e)) > 1]
    by_id = {e.entity_id: e for e in people}
    variants = _variant_links(people)
    rows = [_row(by_id[alias], target, rule, 1) for alias, (target, rule) in sorted(variants.items())]
    # a full name's mentions include its variants'
    extra: dict[str, int] = defaultdict(int)
    for alias, (target, _) in variants.items():
        extra[target.entity_id] += by_id[alias].mentions
    by_suffix: dict[tuple[str, ...], list[EntityCount]] = defaultdict(list)
    by_first: dict[str, list[EntityCount]] = defaultdict(list)
    for e in people:
        if e.entity_id in variants:
            continue
        words = _words(e)
        full = EntityCount(e.entity_id, e.canonical_name, e.label, e.mentions + extra[e.entity_id])
        bare = words[:-1] + (without_article(words[-1]),)  # "Assad" ends "Hafez al-Assad"
        for k in range(1, len(words)):
            for suffix in {words[-k:], bare[-k:]}:
                by_suffix[suffix].append(full)
        by_first[words[0]].append(full)
    # one-word names under other labels: the evidence against a one-word PERSON tag ("Politico")
    others: dict[tuple[str, ...], list[EntityCount]] = defaultdict(list)
    for e in entities:
        if e.label != "PERSON" and len(_words(e)) == 1:
            others[_words(e)].append(e)
    for e in entities:
        if e.entity_id in variants or not _may_alias(e):
            continue
        words = _words(e)
        # the full name is the usual form: a rarer longer name is a mislabelled span ("Briton Tim Henman")
        longer = [c for c in by_suffix.get(words, []) if len(c.canonical_name.split()) > len(words)]
        candidates = [c for c in longer if c.mentions >= e.mentions]
        if not candidates and e.label == "PERSON" and len(words) == 1:
            first = _first_name(e, by_first.get(words[0], []))
            if first is not None:
                rows.append(_row(e, first, "first name", len(by_first[words[0]])))
                continue
            # a title ("President Ford") makes a person, whatever else the name is
            other = _by_label(e, others.get(words, []), by_first.get(words[0], [])) if not roles.get(e.entity_id) else None
            if other is not None:
                rows.append(_row(e, other, "label", len(others[words])))
                continue
            candidates = _rarer_full_names(e, longer, articles, cast)
            shared = _sharing_role(e, longer, roles) if not candidates else None
            if shared is not None:
                rows.append(_row(e, shared, "role", len(longer)))
                continue
        if not candidates:
            continue
        total = sum(c.mentions for c in candidates)
        best = max(candidates, key=lambda c: (c.mentions, c.entity_id))
        rule = "surname" if len(candidates) == 1 else "dominant surname"
        if len(candidates) > 1 and best.mentions < DOMINANCE * total:
            by_role = _by_role(roles.get(e.entity_id, set()), candidates, roles)
            by_context = _by_context(e, candidates, articles, cast) if by_role is None and articles else None
            if by_role is not None:
                best, rule = by_role, "role"
            elif by_context is not None:
                best, rule = by_context, "context"
            else:
                continue
        rows.append(_row(e, best, rule, len(candidates)))
    rows.extend(_relabelled_full_names(entities, people, variants))
    rows.extend(_relabelled_surnames(entities, rows))
    return rows


# the rules that link a surname to its full name
_SURNAME_RULES = frozenset({"surname", "dominant surname", "role", "context"})


def _relabelled_surnames(entities: Sequence[EntityCount], rows: Sequence[Mapping[str, object]]) -> list[dict[str, object]]:
    """A one-word name spaCy gave another label ("the Reagan administration": ORG) that the corpus
    tags PERSON at least as often, where that PERSON links to a full name as its surname
    ("Reagan" to Ronald Reagan), links to the same full name (rule label): one label per name, by
    the evidence across its mentions. A PERSON tag linking nowhere ("Latinos", a club
    "Blackburn"), or as a first name ("Manchester" to Manchester United), is no evidence."""
    linked = {str(r["alias_entity_id"]): r for r in rows}
    by_id = {e.entity_id: e for e in entities}
    people = {_words(e): e for e in entities if e.label == "PERSON" and len(_words(e)) == 1}
    out = []
    for e in entities:
        person = people.get(_words(e)) if e.label != "PERSON" and e.entity_id not in linked and _may_alias(e) else None
        link = linked.get(person.entity_id) if person is not None and person.mentions >= e.mentions else None
        if link is not None and link["rule"] in _SURNAME_RULES:
            out.append(_row(e, by_id[str(link["canonical_entity_id"])], "label", 1))
    return out


_INITIALS = re.compile(r"^[A-Z]{1,2}\.?$")


def _person_like(name: str, label: str) -> bool:
    words = name.split()
    if not _written_as_name(name):
        return False
    return name_gender(name) is not None or bool(_INITIALS.match(words[0])) or (label in LINKABLE_LABELS and may_start_person(name))


def _relabelled_full_names(
    entities: Sequence[EntityCount], people: Sequence[EntityCount], variants: Mapping[str, tuple[EntityCount, str]]
) -> list[dict[str, object]]:
    """A full name spaCy gave another label in some stories ("Bernie Ebbers" the ORG) links to
    the same name as a PERSON when the corpus tags it so at least as often and it reads as a
    person's name, a known first name or initials first, or, for a label a person's name may
    wrongly carry (``LINKABLE_LABELS``, no place), a first name of the wider dictionary
    (``may_start_person``: "Corazon Aquino" in a quote, a work of art) (rule label): spaCy's own
    PERSON tags on "Aston Villa" or "Sri Lanka" (a place) are no evidence."""
    usual: dict[tuple[str, ...], EntityCount] = {}
    for p in people:
        target = variants[p.entity_id][0] if p.entity_id in variants else p
        if _words(p) not in usual or target.mentions > usual[_words(p)].mentions:
            usual[_words(p)] = target
    out = []
    for e in entities:
        person = usual.get(_words(e)) if e.label != "PERSON" and len(_words(e)) > 1 else None
        if person is not None and person.mentions >= e.mentions and _person_like(e.canonical_name, e.label):
            out.append(_row(e, person, "label", 1))
    return out


def _sql_counts(conn: sa.Connection) -> list[EntityCount]:
    e, m = SQL_TABLES["entities"], SQL_TABLES["mentions"]
    query = (
        sa.select(e.c.entity_id, e.c.canonical_name, e.c.label, sa.func.count(m.c.entity_id))
        .select_from(e.outerjoin(m, m.c.entity_id == e.c.entity_id))
        .group_by(e.c.entity_id, e.c.canonical_name, e.c.label)
    )
    return [EntityCount(*row) for row in conn.execute(query)]


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """(entity_id, value) rows -> entity_id -> {value}."""
    out: dict[str, set[str]] = defaultdict(set)
    for entity_id, value in pairs:
        out[entity_id].add(value)
    return out


def refresh_sql(engine: sa.Engine) -> list[dict[str, object]]:
    """Recompute ``entity_aliases`` in the database in one transaction; returns its rows."""
    table, r = SQL_TABLES[TABLE], SQL_TABLES["entity_roles"]
    with engine.begin() as conn:
        m = SQL_TABLES["mentions"]
        roles = _grouped((a, b) for a, b in conn.execute(sa.select(r.c.entity_id, r.c.role_norm).distinct()))
        stories = _grouped((a, b) for a, b in conn.execute(sa.select(m.c.entity_id, m.c.article_id).distinct()))
        art = SQL_TABLES["articles"]
        facts = {
            r.article_id: story_facts(r.outlet, r.published_at)
            for r in conn.execute(sa.select(art.c.article_id, art.c.outlet, art.c.published_at))
        }
        rows = compute_aliases(_sql_counts(conn), roles, stories, facts)
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

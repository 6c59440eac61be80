"""One entity per person: how consistently a story's mentions of a person resolve, on CoNLL-2003.

A "person" is the gold PER mentions of one document sharing a last word. For each, the entities
the pipeline's mentions overlapping them belong to (after the corpus-wide links of
``etl.warehouse.aliases``, computed over the documents' entities), and whether that is one entity
named in full: ``python -m etl.evaluation.people --conll ../shared/data/conll2003/conllpp_dev.txt``.

Without gold, over a loaded warehouse (``--warehouse DIR [--db URL]``): in each story, the mentions
spaCy tagged PERSON are grouped by their last word (a possessive dropped), and a group counts when
all its mentions resolve (with the corpus-wide links) to one PERSON entity named in full. Namesakes
in one story ("Bill Clinton" and "Hillary Clinton") count against it, so this is a lower bound;
``namesakes_apart`` checks those stories on their own: their full names must stay distinct entities.
``persons_only`` is a second, fairer reading of the same groups (see ``_persons_only``): PERSON tags
the corpus-wide label link overrules and families ("the Clintons") are left out, and a story's
namesakes count as resolved when each mention resolves to a full name and they stay apart.

With the people each story is about (``--warehouse DIR --tags FILE``: a tab-separated file of a
story's path, or the end of it, and a person's name, as news archives tag stories: "reagan",
"James Baker"), ``score_tagged``: for each tagged person of a story, whether the story's mentions
ending in their surname, whatever spaCy called them, resolve to one PERSON entity named in full
(and, for a tag naming them in full, to that name), and how many entities each person's mentions
resolve to across the corpus.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from etl.clean import clean
from etl.evaluation.ner import read_conll
from etl.evaluation.quotes import align
from etl.nlp.aliases import fold
from etl.nlp.entities import GENERATIONAL_SUFFIXES, canonical_text
from etl.nlp.gender import name_gender
from etl.nlp.nicknames import same_first_name
from etl.nlp.runner import analyse_batch
from etl.records import AnalysedArticle, CleanArticle, RawArticle
from etl.settings import DEFAULT_MODEL, Settings
from etl.warehouse.aliases import EntityCount, compute_aliases
from etl.warehouse.package import best_spelling
from etl.warehouse.schema import SQL_TABLES

_POSSESSIVE = re.compile(r"['\u2019]s$")
_LOWER_WORD = re.compile(r"\b[a-z]+\b")


def evaluate(conll: Path, model: str = DEFAULT_MODEL) -> dict[str, object]:
    docs = read_conll(conll)
    articles = []
    for i, d in enumerate(docs):
        article = clean(RawArticle(source_uri=f"conll#{i}", text=d.text, is_extracted=True))
        assert isinstance(article, CleanArticle)
        articles.append(article)
    results = [r for r in analyse_batch(articles, model) if isinstance(r, AnalysedArticle)]
    labels: dict[str, str] = {}
    spellings: dict[str, set[str]] = defaultdict(set)
    texts: dict[str, Counter[str]] = defaultdict(Counter)
    counts: Counter[str] = Counter()
    stories: dict[str, set[str]] = defaultdict(set)
    for i, r in enumerate(results):
        for m in r.mentions:
            labels[m.entity_id] = m.label
            spellings[m.entity_id].add(m.canonical_name)
            texts[m.entity_id][m.text] += 1
            counts[m.entity_id] += 1
            stories[m.entity_id].add(str(i))
    # as the warehouse names them
    names = {e: (best_spelling(spellings[e], texts[e]), label) for e, label in labels.items()}
    entities = [EntityCount(e, n, lbl, counts[e]) for e, (n, lbl) in names.items()]
    aliases = compute_aliases(entities, {}, stories)
    links = {str(a["alias_entity_id"]): str(a["canonical_entity_id"]) for a in aliases}
    out: dict[str, object] = {"documents": len(docs)}
    for linked in (False, True):
        people = one_full = entity_total = 0
        for d, r in zip(docs, results, strict=True):
            to_conll = align(d.text, r.article.body_text)
            spans = [(to_conll[m.start_char], to_conll[m.end_char - 1] + 1, m.entity_id) for m in r.mentions]
            by_person: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for s, e, label in d.gold:
                if label == "PER":
                    by_person[d.text[s:e].split()[-1]].append((s, e))
            for gold_spans in by_person.values():
                found = {
                    links.get(eid, eid) if linked else eid
                    for s, e in gold_spans
                    for ms, me, eid in spans
                    if ms < e and s < me
                }
                if not found:
                    continue
                people += 1
                entity_total += len(found)
                if len(found) == 1:
                    name, label = names[next(iter(found))]
                    one_full += label == "PERSON" and len(name.split()) > 1
        out["with_links" if linked else "in_article"] = {
            "people": people,
            "one_entity_named_in_full": round(one_full / people, 4) if people else 0.0,
            "entities_per_person": round(entity_total / people, 4) if people else 0.0,
        }
    return out


def _namesake_pairs(forms: Mapping[tuple[str, ...], set[str]]) -> list[tuple[set[str], set[str]]]:
    """The entities of each two full names of one story that are namesakes: different first words,
    not a nickname of each other ("Chuck Grassley" is Charles Grassley), and different last two
    words ("Suu Kyi" is "Aung San Suu Kyi"; "Crooked Hillary Clinton" is "Hillary Clinton" with a
    word glued on), accents aside."""
    names = sorted(forms)
    return [
        (forms[a], forms[b])
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if not same_first_name(a[0], b[0]) and a[-2:] != b[-2:]
    ]


def lower_words(text: str) -> frozenset[str]:
    """The words a text writes in lower case: a capitalised one of them before a surname is a
    common word glued to the name ("Stop Trump"), not a first name."""
    return frozenset(_LOWER_WORD.findall(text))


def score_people(
    rows: Iterable[tuple[str, str, str]],
    names: Mapping[str, tuple[str, str]],
    links: Mapping[str, str],
    lower: Mapping[str, frozenset[str]] | None = None,
) -> dict[str, object]:
    """Per story, PERSON mentions ``(article_id, text, entity_id)`` grouped by last word: the share
    of groups resolving to one entity named in full, and entities per group.

    ``namesakes_apart`` is a check of its own: among groups whose story writes out namesakes
    (``_namesake_pairs``: "Bill Clinton", "Hillary Clinton"), the share in which no two namesakes
    share an entity after the corpus-wide links. A name whose first word is no known first name and
    is written in lower case elsewhere in its story (``lower``: article id -> ``lower_words``) is a
    common word glued to a name, not a namesake.
    """
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    written: dict[tuple[str, str], dict[tuple[str, ...], set[str]]] = defaultdict(lambda: defaultdict(set))
    for article_id, text, entity_id in rows:
        words = _name_words(text)
        if not words:
            continue
        key = (article_id, words[-1].casefold())
        resolved = links.get(entity_id, entity_id)
        groups[key].add(resolved)
        name = tuple(fold(canonical_text(" ".join(words), "PERSON")).split())
        glued = name_gender(" ".join(name)) is None and name[:1] and name[0] in (lower or {}).get(article_id, frozenset())
        if len(name) > 1 and not glued:
            written[key][name].add(resolved)

    def full(entity_id: str) -> bool:
        name, label = names[entity_id]
        return label == "PERSON" and len(name.split()) > 1

    one_full = sum(1 for found in groups.values() if len(found) == 1 and full(next(iter(found))))
    people = len(groups)
    pairs = {key: _namesake_pairs(written[key]) for key in groups if key in written}
    namesakes = {key: p for key, p in pairs.items() if p}
    apart = {key for key, p in namesakes.items() if all(not (written_a & written_b) for written_a, written_b in p)}
    return {
        "stories": len({article for article, _ in groups}),
        "people": people,
        "one_entity_named_in_full": round(one_full / people, 4) if people else 0.0,
        "entities_per_person": round(sum(len(f) for f in groups.values()) / people, 4) if people else 0.0,
        "namesake_groups": len(namesakes),
        "namesakes_apart": round(len(apart) / len(namesakes), 4) if namesakes else 1.0,
        "persons_only": _persons_only(groups, names, set(namesakes), apart),
    }


def _persons_only(
    groups: Mapping[tuple[str, str], set[str]], names: Mapping[str, tuple[str, str]], namesakes: set[tuple[str, str]], apart: set[tuple[str, str]]
) -> dict[str, object]:
    """The same figure over the groups that are one person, a second and fairer reading: a
    group whose mentions all resolve to a non-PERSON entity (a spaCy PERSON tag the corpus-wide
    label link overrules, "Politico") and a family ("the Clintons": a plural of a surname the
    corpus names in full, and no surname itself) are left out; a story's namesakes ("Bill Clinton" and "Hillary
    Clinton") count as resolved when every mention resolves to a full name and the namesakes
    stay apart."""
    surnames = {fold(n).split()[-1] for n, label in names.values() if label == "PERSON" and len(n.split()) > 1}

    def full(entity_id: str) -> bool:
        name, label = names[entity_id]
        return label == "PERSON" and len(name.split()) > 1

    not_person = family = people = resolved = entity_total = 0
    for key, found in groups.items():
        if all(names[f][1] != "PERSON" for f in found):
            not_person += 1
            continue
        word = fold(key[1])
        plural = word.endswith("s") and (word[:-1] in surnames or (word.endswith("es") and word[:-2] in surnames))
        if plural and word not in surnames:  # "Williams" is a surname of its own ("Serena Williams")
            family += 1
            continue
        people += 1
        entity_total += len(found)
        if key in namesakes:
            resolved += key in apart and all(full(f) for f in found)
        else:
            resolved += len(found) == 1 and full(next(iter(found)))
    return {
        "people": people,
        "one_entity_named_in_full": round(resolved / people, 4) if people else 0.0,
        "entities_per_person": round(entity_total / people, 4) if people else 0.0,
        "left_out_not_person": not_person,
        "left_out_families": family,
    }


def read_tags(path: Path) -> list[tuple[str, str]]:
    """``(story path, person)`` rows of a tab-separated tags file; a header row, blank lines and
    ``#`` comments are skipped; a Reuters-style tag ("james-baker") reads as a name."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not fields[0].strip() or not fields[1].strip():
            raise ValueError(f"{path}:{n}: expected a story path and a person, tab-separated: {line!r}")
        if n == 1 and fields[0].strip().casefold() in ("path", "story", "file"):
            continue
        rows.append((fields[0].strip(), " ".join(fields[1].replace("-", " ").split())))
    return rows


def _name_words(text: str) -> list[str]:
    """A mention's words without a possessive or a generational suffix ("Joe Dorrit Jr.'s")."""
    words = _POSSESSIVE.sub("", text.strip()).replace(",", " ").split()
    while len(words) > 1 and words[-1].casefold() in GENERATIONAL_SUFFIXES:
        words.pop()
    return words


def _surname(text: str) -> str:
    words = _name_words(text)
    return fold(words[-1]) if words else ""


def score_tagged(
    tags: Iterable[tuple[str, str]],
    stories: Mapping[str, str],
    rows: Iterable[tuple[str, str, str]],
    names: Mapping[str, tuple[str, str]],
    links: Mapping[str, str],
    bodies: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """For each tag ``(story path, person)``: the story (``stories``: article id -> source path,
    matched by the tag's path being its end) and its mentions ``(article_id, text, entity_id)``,
    any label, ending in the person's surname. A pair counts when they resolve (``links``) to one
    PERSON entity named in full, and, when the tag names the person in full, to that name
    (``right_name``, accents and case aside). ``entities_per_person``: across the corpus, the
    entities each tagged person's mentions resolve to. Pairs whose story holds no such mention, or
    no story matches, are counted apart; with the stories' ``bodies``, ``of_stories_naming_them``
    also counts as failures the stories whose text writes the surname (capitalised, a whole word)
    with no mention ending in it: a name the recogniser never tagged."""
    by_story: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for article_id, text, entity_id in rows:
        # a tag writes "leigh-pemberton" as two words: a hyphenated surname ends in its last part
        by_story[article_id].append((_surname(text).split("-")[-1], links.get(entity_id, entity_id)))
    unmatched = unmentioned = untagged = pairs = one_full = right = 0
    across: dict[str, set[str]] = defaultdict(set)
    for path, person in tags:
        suffix = path.replace("\\", "/").lstrip("/")
        found = [a for a, uri in stories.items() if uri.replace("\\", "/").endswith("/" + suffix) or uri == suffix]
        if len(found) != 1:
            unmatched += 1
            continue
        surname = fold(person.split()[-1])
        resolved = {eid for word, eid in by_story[found[0]] if word == surname}
        if not resolved:
            unmentioned += 1
            written = re.findall(rf"\b{re.escape(person.split()[-1])}\b", (bodies or {}).get(found[0], ""), re.I)
            untagged += any(w[:1].isupper() for w in written)
            continue
        pairs += 1
        across[fold(person)] |= resolved
        if len(resolved) != 1:
            continue
        name, label = names[next(iter(resolved))]
        if label == "PERSON" and len(name.split()) > 1:
            one_full += 1
            full = len(person.split()) > 1
            named = fold(name).replace("-", " ").split()  # as a tag writes it
            right += not full or (named[0], named[-1]) == (fold(person).split()[0], surname)
    return {
        "tagged_pairs": pairs,
        "one_entity_named_in_full": round(one_full / pairs, 4) if pairs else 0.0,
        "right_name": round(right / pairs, 4) if pairs else 0.0,
        **({"of_stories_naming_them": round(one_full / (pairs + untagged), 4) if pairs + untagged else 0.0} if bodies is not None else {}),
        "people": len(across),
        "entities_per_person": round(sum(len(e) for e in across.values()) / len(across), 4) if across else 0.0,
        "left_out_no_story": unmatched,
        "left_out_no_mention": unmentioned,
    }


@dataclass(frozen=True)
class _Loaded:
    """What the measures read from a loaded warehouse."""

    names: dict[str, tuple[str, str]]  # entity id -> (name, label)
    links: dict[str, str]  # alias entity id -> canonical entity id
    rows: list[tuple[str, str, str]]  # (article id, mention text, entity id)
    bodies: dict[str, str]  # article id -> body text
    uris: dict[str, str]  # article id -> source URI


def _load(settings: Settings, person_only: bool) -> _Loaded:
    """A loaded warehouse's entities, links and mentions (PERSON ones only, or all) and articles."""
    m, e, a = SQL_TABLES["mentions"], SQL_TABLES["entities"], SQL_TABLES["entity_aliases"]
    art = SQL_TABLES["articles"]
    engine = sa.create_engine(settings.db_url)
    try:
        with engine.connect() as conn:
            names = {r.entity_id: (r.canonical_name, r.label) for r in conn.execute(sa.select(e.c.entity_id, e.c.canonical_name, e.c.label))}
            links = {r.alias_entity_id: r.canonical_entity_id for r in conn.execute(sa.select(a.c.alias_entity_id, a.c.canonical_entity_id))}
            query = sa.select(m.c.article_id, m.c.text, m.c.entity_id)
            rows = [(r[0], r[1], r[2]) for r in conn.execute(query.where(m.c.label == "PERSON") if person_only else query)]
            articles = list(conn.execute(sa.select(art.c.article_id, art.c.body_text, art.c.source_uri)))
    finally:
        engine.dispose()
    return _Loaded(names, links, rows, {r.article_id: r.body_text for r in articles}, {r.article_id: r.source_uri for r in articles})


def tagged(settings: Settings, tags: Path) -> dict[str, object]:
    """``score_tagged`` over a loaded warehouse, for the people a tags file says its stories are about."""
    w = _load(settings, person_only=False)
    return score_tagged(read_tags(tags), w.uris, w.rows, w.names, w.links, w.bodies)


def consistency(settings: Settings) -> dict[str, object]:
    """``score_people`` over a loaded warehouse's PERSON mentions, with its entity links."""
    w = _load(settings, person_only=True)
    return score_people(w.rows, w.names, w.links, {k: lower_words(v) for k, v in w.bodies.items()})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--conll", type=Path, help="CoNLL-2003 file: gold PER mentions")
    where.add_argument("--warehouse", help="a loaded warehouse: PERSON-tagged mentions, no gold")
    parser.add_argument("--db", help="the warehouse's database URL (default: its SQLite file)")
    parser.add_argument("--tags", type=Path, help="with --warehouse: a tab-separated file of story paths and the people they are about")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args(argv)
    if args.tags and not args.warehouse:
        parser.error("--tags needs --warehouse")
    if args.warehouse:
        settings = Settings().with_(warehouse=args.warehouse, database_url=args.db)
        result = tagged(settings, args.tags) if args.tags else consistency(settings)
    else:
        result = evaluate(args.conll, args.model)
    print(json.dumps(result, indent=1))  # noqa: T201 - the command's output


if __name__ == "__main__":
    main()

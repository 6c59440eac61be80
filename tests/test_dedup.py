"""Duplicates: exact copies once, near copies flagged against the earliest copy, in linear time."""

from __future__ import annotations

import random

import pytest

from etl import ids
from etl.dedup import Deduplicator, Verdict, shingles
from etl.records import CleanArticle, Paragraph

STORY = (
    "Plans for an offshore wind farm eight miles off the Westport coast have been published for consultation. "
    "The developer says the 40 turbines would power about 300,000 homes and create 200 jobs during construction.\n\n"
    "Fishing groups have raised concerns about the effect on lobster grounds, and the developer has promised to fund "
    "a study of the seabed before construction begins. The study will be carried out by the university's marine "
    "science department over two years.\n\n"
    "Residents will be able to comment on the plans until the end of June, and public meetings will be held in "
    "Westport, Harbourside and Gull Island during May."
)


def article(body: str, uri: str = "x") -> CleanArticle:
    chash = ids.content_hash(body)
    return CleanArticle(
        article_id=ids.article_id(chash),
        content_hash=chash,
        source_uri=uri,
        body_text=body,
        paragraphs=(Paragraph(0, 0, len(body)),),
    )


def random_story(rng: random.Random, words: int = 300) -> str:
    vocab = [f"w{i}" for i in range(5000)]
    return " ".join(rng.choice(vocab) for _ in range(words))


@pytest.mark.parametrize(
    "copy",
    [
        STORY,
        STORY.upper(),
        STORY.replace("\n\n", "\n"),
        "  " + STORY.replace(". ", ".  ") + "\n",
    ],
)
def test_dedup_exact_duplicate_after_normalisation(copy: str) -> None:
    dedup = Deduplicator()
    assert dedup.check(article(STORY))[0] is Verdict.NEW
    verdict, _ = dedup.check(article(copy, "copy"))
    assert verdict is Verdict.DUPLICATE
    assert dedup.duplicates == 1


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s.replace("construction begins", "work starts"),
        lambda s: s.replace("Westport", "WESTPORT (Wire) - Westport", 1) + " The council said it welcomed the plans.",
        lambda s: s.replace("200 jobs", "about 250 jobs").replace("two years", "three years"),
    ],
)
def test_dedup_near_duplicate_points_to_first_copy(edit) -> None:  # type: ignore[no-untyped-def]
    dedup = Deduplicator()
    first = article(STORY, "first")
    dedup.check(first)
    verdict, kept = dedup.check(article(edit(STORY), "syndicated"))
    assert verdict is Verdict.NEAR_DUPLICATE
    assert kept.near_duplicate_of == first.article_id
    assert dedup.near_duplicates == 1


def test_dedup_chain_of_copies_points_to_earliest() -> None:
    dedup = Deduplicator()
    first = article(STORY)
    second = article(STORY.replace("construction begins", "work starts"))
    third = article(STORY.replace("construction begins", "work starts").replace("two years", "three years"))
    dedup.check(first)
    dedup.check(second)
    verdict, kept = dedup.check(third)
    assert verdict is Verdict.NEAR_DUPLICATE and kept.near_duplicate_of == first.article_id


def test_dedup_different_articles_are_new() -> None:
    rng = random.Random(3)
    dedup = Deduplicator()
    verdicts = [dedup.check(article(random_story(rng)))[0] for _ in range(50)]
    assert verdicts == [Verdict.NEW] * 50
    # half the text rewritten is a different article, not a near copy
    half = STORY[: len(STORY) // 2] + " " + random_story(rng, 60)
    assert dedup.check(article(STORY))[0] is Verdict.NEW
    assert dedup.check(article(half))[0] is Verdict.NEW


def test_dedup_shingles_short_text() -> None:
    assert shingles("") == []
    assert shingles("Two words") == [b"two words"]
    assert len(shingles("one two three four five")) == 3


@pytest.mark.slow
def test_dedup_bbc_corpus_counts() -> None:
    """Every BBC article reads (sport/199.txt is Latin-1); its copies are found. Cost: `make bench`."""
    from etl.clean import clean
    from etl.ingest import iter_records
    from etl.language import tag_language
    from etl.records import Reject
    from tests.conftest import SHARED_DATA

    root = SHARED_DATA / "bbc_news" / "bbc"
    assert root.is_dir(), f"reference data missing: {root}"
    dedup = Deduplicator()
    rejects = 0
    for rec in iter_records([root]):
        art = rec if isinstance(rec, Reject) else clean(rec)
        if isinstance(art, Reject):
            rejects += 1
            continue
        dedup.check(tag_language(art))
    assert rejects == 0  # sport/199.txt is Latin-1 and loads
    assert dedup.duplicates > 100 and dedup.near_duplicates > 10

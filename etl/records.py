"""Typed records flowing between stages.

Every record is frozen: stages are pure functions from one record to the next.
All character offsets index the article's clean ``body_text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from etl.storage import RemoteFile


@dataclass(frozen=True, slots=True)
class RawArticle:
    """What a reader yields: undecoded bytes or already-decoded text, plus format metadata."""

    source_uri: str
    data: bytes | None = None
    text: str | None = None
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published_at: datetime | None = None
    language: str | None = None  # the source's own tag, verified later
    format: str = "txt"
    # True when paragraphs are already known to be one per line (extracted HTML, JSON fields)
    is_extracted: bool = False


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input file as discovered: where it is, its unique name, and its fingerprint.

    ``uri`` is ``<input root name>/<path under the root>``, unique across the roots of a run;
    ``file_hash`` is filled in only when the ledger needs it (a new or changed file).
    """

    path: Path | RemoteFile  # a local file, or an object in an object store
    uri: str
    size: int
    mtime_ns: int
    file_hash: str = ""


@dataclass(frozen=True, slots=True)
class Reject:
    """A piece of input that could not be loaded, with a specific reason.

    ``article_id`` is set for an exact duplicate: the article it copies.
    """

    source_uri: str
    stage: str
    reason: str
    article_id: str | None = None


@dataclass(frozen=True, slots=True)
class AlreadyStored:
    """A record whose article the warehouse already holds: it skips the NLP stages."""

    source_uri: str
    article_id: str


@dataclass(frozen=True, slots=True)
class FileDone:
    """Marks the end of one input file's records in the stream: batches close only here."""

    file: InputFile


@dataclass(frozen=True, slots=True)
class Paragraph:
    paragraph_idx: int
    start_char: int
    end_char: int


@dataclass(frozen=True, slots=True)
class CleanArticle:
    """A decoded, normalised article. ``body_text`` is the text every offset refers to."""

    article_id: str
    content_hash: str
    source_uri: str
    body_text: str
    paragraphs: tuple[Paragraph, ...]
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    near_duplicate_of: str | None = None
    # where published_at came from: metadata, html, dateline, text, path, landing, run, none
    published_at_source: str | None = None
    source_format: str = "txt"  # the reader's format (txt, html, warc, json, csv)


@dataclass(frozen=True, slots=True)
class Sentence:
    sentence_idx: int
    paragraph_idx: int
    start_char: int
    end_char: int
    text: str
    word_count: int


@dataclass(frozen=True, slots=True)
class Mention:
    sentence_idx: int
    start_char: int
    end_char: int
    text: str
    label: str
    entity_id: str
    canonical_name: str


@dataclass(frozen=True, slots=True)
class Quote:
    quote_id: str
    quote_start: int
    quote_end: int
    quote_text: str
    kind: str  # direct | mixed | indirect
    speaker_text: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker_name: str | None = None
    speaker_entity_id: str | None = None
    cue_text: str | None = None
    confidence: float = 0.0
    said_on: date | None = None
    said_on_source: str | None = None  # cue, sentence, speaker: see etl.when.statements
    speaker_status: str = "none"  # named | unresolved | none: see etl.nlp.quotes.speakers
    # the content's pieces, (start, end) in body_text, in order: never the speaker or the cue
    pieces: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Role:
    """A role the text gives a person or organisation ("Russian Foreign Minister" Sergei Lavrov)."""

    entity_id: str
    role: str  # as written
    role_norm: str  # lower-cased, nationality and organisation words dropped: "foreign minister"
    start_char: int
    end_char: int


@dataclass(frozen=True, slots=True)
class QuoteEntity:
    """An entity mentioned inside a quote's content."""

    quote_id: str
    entity_id: str
    start_char: int
    end_char: int


@dataclass(frozen=True, slots=True)
class AnalysedArticle:
    """An article with everything the NLP stages found in it."""

    article: CleanArticle
    sentences: tuple[Sentence, ...] = ()
    mentions: tuple[Mention, ...] = ()
    quotes: tuple[Quote, ...] = ()
    roles: tuple[Role, ...] = ()
    quote_entities: tuple[QuoteEntity, ...] = ()

    @property
    def word_count(self) -> int:
        return sum(s.word_count for s in self.sentences)


@dataclass(slots=True)
class RunCounts:
    files: int = 0
    articles: int = 0
    sentences: int = 0
    mentions: int = 0
    entities: int = 0
    quotes: int = 0
    rejects: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    non_english: int = 0
    skipped_existing: int = 0
    unchanged: int = 0
    pruned: int = 0
    words: int = 0
    # files the run will read (known once the ledger is consulted) and files done so far
    total_files: int = 0
    done_files: int = 0
    extra: dict[str, int] = field(default_factory=dict)

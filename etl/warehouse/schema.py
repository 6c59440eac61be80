"""The warehouse contract, declared once.

Arrow schemas (Parquet) and SQLAlchemy tables (SQL) are both made from ``TABLES``; the README's
data dictionary documents the same columns and a test keeps the three in step.

The declarations and the table lists derived from them import nothing heavy, so the DAG files
read them at parse time (their Assets); pyarrow and SQLAlchemy are imported when an Arrow schema or
``SQL_TABLES``/``metadata`` is first asked for.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa
    import sqlalchemy as sa

# Every row belongs to the batch that wrote it; a batch is replaced whole on re-run.
PARTITION = "batch_id"


@dataclass(frozen=True)
class Col:
    name: str
    kind: str  # str | text | int | float | ts | date | bytes
    doc: str
    nullable: bool = True
    index: bool = False


@dataclass(frozen=True)
class TableDef:
    name: str
    doc: str
    columns: tuple[Col, ...]
    primary_key: tuple[str, ...]
    # the column that ties a batch table's rows to their article (deleted with it), if any
    article_key: str | None = None
    # counted in `batches` and in the run summary
    counted: bool = False
    # published to Parquet (every table but the SQL-only load log)
    in_parquet: bool = True
    # bookkeeping (the input ledger, near-duplicate signatures, the load log), not analyst data:
    # no Airflow Asset
    internal: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def per_batch(self) -> bool:
        """True for tables whose rows belong to a load batch (Parquet partitions)."""
        return PARTITION in self.column_names


def _batch() -> Col:
    return Col(PARTITION, "str", "Load batch that wrote the row (Parquet partition key).", nullable=False, index=True)


TABLES: tuple[TableDef, ...] = (
    TableDef(
        "articles",
        "One row per distinct article body.",
        (
            Col("article_id", "str", "Stable id: the first 16 hex digits of content_hash.", nullable=False),
            Col("source_uri", "str", "Where the article was first read: `<input root name>/<path under the root>`, `#N` for the Nth record of a multi-record file.", nullable=False),
            Col("content_hash", "str", "SHA-256 of the whitespace-folded, case-folded NFKC body.", nullable=False, index=True),
            Col("title", "text", "Headline, from the format's metadata or a plain-text first line."),
            Col("url", "text", "Canonical URL when the source gives one."),
            Col("outlet", "str", "Publisher or source domain when known."),
            Col("published_at", "ts", "Publication time, UTC, when known."),
            Col("published_at_source", "str", "Where published_at came from (a date without a time is stored as midnight UTC): metadata (the source's field), html (page metadata or htmldate), dateline, text (a date in the lede), path (a date in the path or URL), landing (the day before the nightly landing folder's day: stories land the morning after), run (the run's --published-on), none."),
            Col("language", "str", "ISO 639-1 language code, detected from the text.", index=True),
            Col("body_text", "text", "Clean article text; paragraphs separated by a blank line. Every offset in other tables indexes this text.", nullable=False),
            Col("word_count", "int", "Words in the body (tokens that are not punctuation or space); 0 when the NLP stages were skipped.", nullable=False),
            Col("paragraph_count", "int", "Paragraphs in body_text.", nullable=False),
            Col("near_duplicate_of", "str", "article_id of the earliest near-identical article (syndicated copy), else null."),
            Col("run_id", "str", "Run that last wrote the row.", nullable=False),
            _batch(),
        ),
        ("article_id",),
        article_key="article_id",
        counted=True,
    ),
    TableDef(
        "sentences",
        "Sentences, never crossing a paragraph.",
        (
            Col("article_id", "str", "Article the sentence belongs to.", nullable=False),
            Col("sentence_idx", "int", "0-based position of the sentence in its article.", nullable=False),
            Col("paragraph_idx", "int", "0-based paragraph holding the sentence.", nullable=False),
            Col("start_char", "int", "Offset of the first character in body_text.", nullable=False),
            Col("end_char", "int", "Offset just past the last character in body_text.", nullable=False),
            Col("text", "text", "The sentence, equal to body_text[start_char:end_char].", nullable=False),
            Col("word_count", "int", "Words in the sentence.", nullable=False),
            _batch(),
        ),
        ("article_id", "sentence_idx"),
        article_key="article_id",
        counted=True,
    ),
    TableDef(
        "mentions",
        "Named-entity mentions found by spaCy.",
        (
            Col("article_id", "str", "Article holding the mention.", nullable=False),
            Col("sentence_idx", "int", "Sentence holding the mention.", nullable=False),
            Col("start_char", "int", "Offset of the mention in body_text.", nullable=False),
            Col("end_char", "int", "Offset just past the mention in body_text.", nullable=False),
            Col("text", "text", "The mention as written.", nullable=False),
            Col("label", "str", "OntoNotes entity label: PERSON, ORG, GPE, LOC, NORP, FAC, EVENT, WORK_OF_ART, LAW, LANGUAGE, PRODUCT.", nullable=False),
            Col("entity_id", "str", "The entity the mention refers to (surnames resolved to the full name in the article).", nullable=False, index=True),
            _batch(),
        ),
        ("article_id", "start_char", "end_char"),
        article_key="article_id",
        counted=True,
    ),
    TableDef(
        "entities",
        "Distinct entities across the warehouse, keyed by label and canonical name.",
        (
            Col("entity_id", "str", "Stable id from label and case-folded canonical name.", nullable=False),
            Col("canonical_name", "text", "Full name, titles and honorifics removed.", nullable=False),
            Col("label", "str", "OntoNotes entity label.", nullable=False),
            _batch(),
        ),
        ("entity_id",),
        counted=True,
    ),
    TableDef(
        "quotes",
        "Attributed statements: who said what.",
        (
            Col("quote_id", "str", "Stable id from article and quote offsets.", nullable=False),
            Col("article_id", "str", "Article holding the quote.", nullable=False, index=True),
            Col("quote_start", "int", "Offset in body_text where the content's first piece starts (the outer bound; quote_pieces has every piece).", nullable=False),
            Col("quote_end", "int", "Offset just past the content's last piece (the outer bound; what lies between two pieces, such as \"he said\", is not content).", nullable=False),
            Col("quote_text", "text", "The quoted or reported content: its pieces (quote_pieces, in order) as body_text slices joined with \" … \" (space, ellipsis, space); a one-piece quote is exactly body_text[quote_start:quote_end]. Never holds the quote's own speaker or cue.", nullable=False),
            Col("kind", "str", "direct, mixed (partial quotation inside reported speech) or indirect.", nullable=False),
            Col("speaker_text", "text", "The speaker phrase as written (may be a pronoun or a noun phrase such as \"the company\"; see speaker_status)."),
            Col("speaker_start", "int", "Offset of speaker_text in body_text."),
            Col("speaker_end", "int", "Offset just past speaker_text."),
            Col("speaker_name", "text", "Full name of the person or organisation the speaker phrase refers to (a pronoun's antecedent, \"the company\" as the company named earlier); set only when speaker_status is named."),
            Col("speaker_entity_id", "str", "Entity of the speaker, when resolved to one.", index=True),
            Col("speaker_status", "str", "named (speaker_name holds the speaker's full name), unresolved (a pronoun or noun phrase whose antecedent was not found: speaker_text only), none (no speaker found).", nullable=False, index=True),
            Col("cue_text", "text", "The reporting cue (said, told, according to, ...)."),
            Col("confidence", "float", "Calibrated probability, 0 to 1, that the row is right (its content matches the statement and, when named, its speaker is the source); of the PolNeAR dev rows at 0.8 or above, at least 80% are right (etl/nlp/quotes/data/MODEL_CARD.md).", nullable=False),
            Col("said_on", "date", "Day of the statement when the text dates it (\"said Tuesday\"), resolved against the article's date, preferring the past."),
            Col("said_on_source", "str", "What dated the statement: cue (a date attached to the reporting verb), sentence (a date in the cue's sentence), speaker (the speaker's earlier dated statement in the article); null when undated."),
            _batch(),
        ),
        ("quote_id",),
        article_key="article_id",
        counted=True,
    ),
    TableDef(
        "quote_pieces",
        "The pieces of each quote's content, one row per piece: “A,” he said. “B.” is two pieces. Every piece is a slice of body_text and never holds the quote's own speaker or cue.",
        (
            Col("quote_id", "str", "The quote.", nullable=False),
            Col("article_id", "str", "Article holding the quote.", nullable=False, index=True),
            Col("piece_idx", "int", "Position of the piece in the quote, from 0, in text order.", nullable=False),
            Col("start_char", "int", "Offset of the piece in body_text.", nullable=False),
            Col("end_char", "int", "Offset just past the piece in body_text.", nullable=False),
            _batch(),
        ),
        ("quote_id", "piece_idx"),
        article_key="article_id",
    ),
    TableDef(
        "entity_roles",
        "Roles the text gives an entity: titles before names (\"Russian Foreign Minister Sergei Lavrov\"), appositions (\"Patrick Ventrell, a State Department spokesman\").",
        (
            Col("article_id", "str", "Article giving the role.", nullable=False, index=True),
            Col("entity_id", "str", "The entity holding the role.", nullable=False, index=True),
            Col("role", "text", "The role as written.", nullable=False),
            Col("role_norm", "str", "The role lower-cased, without nationality, organisation and article words: foreign minister, secretary of state, spokeswoman.", nullable=False),
            Col("start_char", "int", "Offset of the role in body_text.", nullable=False),
            Col("end_char", "int", "Offset just past the role in body_text.", nullable=False),
            Col("role_on", "date", "The article's publication day: when the role was held, as far as the text says."),
            _batch(),
        ),
        ("article_id", "entity_id", "start_char"),
        article_key="article_id",
    ),
    TableDef(
        "quote_entities",
        "Entities mentioned inside a quote's content: what the statement is about.",
        (
            Col("quote_id", "str", "The quote.", nullable=False),
            Col("article_id", "str", "Article holding the quote.", nullable=False, index=True),
            Col("entity_id", "str", "An entity mentioned in the quote's content.", nullable=False, index=True),
            Col("start_char", "int", "Offset of the mention in body_text.", nullable=False),
            Col("end_char", "int", "Offset just past the mention in body_text.", nullable=False),
            _batch(),
        ),
        ("quote_id", "start_char"),
        article_key="article_id",
    ),
    TableDef(
        "entity_aliases",
        "Corpus-wide links from an entity to the full-name entity it abbreviates (\"Blair\" -> \"Tony Blair\"), recomputed over the whole warehouse after each run, so they do not depend on load order; entity ids never change. Not partitioned by batch.",
        (
            Col("alias_entity_id", "str", "The entity named in part (a surname, or a title and surname).", nullable=False),
            Col("canonical_entity_id", "str", "The full-name PERSON entity it stands for (for rule label: the same name under its usual label).", nullable=False, index=True),
            Col("alias_name", "text", "Canonical name of the alias entity.", nullable=False),
            Col("canonical_name", "text", "Canonical name of the full-name entity.", nullable=False),
            Col("rule", "str", "spelling (the same name under another spelling, accents aside, to its most frequent one), nickname (a name under a nickname to the more usual one it shortens, \"Chuck Grassley\" to Charles Grassley), prefixed name (\"Billionaire Donald Trump\" to Donald Trump), middle name (\"Hillary Rodham Clinton\" to Hillary Clinton), first name (a first name alone to the one usual full name it begins), surname (the only full name ending so), dominant surname (namesakes, one holding at least 90% of their mentions), role (the one namesake sharing a role with the alias), context (the one namesake its stories point to by the other entities they name, their outlet and their year) or label (a name to the same name under the label the corpus gives it at least as often: the one-word PERSON tag \"Politico\" to the ORG, the ORG \"Bernie Ebbers\" to the PERSON; a surname under another label, \"the Reagan administration\", to the full name its PERSON tag links to).", nullable=False),
            Col("candidates", "int", "Full names the alias could stand for.", nullable=False),
        ),
        ("alias_entity_id",),
    ),
    TableDef(
        "rejects",
        "Input that could not be loaded, with the reason. Duplicates are listed here too, with stage `dedup`.",
        (
            Col("run_id", "str", "Run that last saw the input.", nullable=False),
            Col("source_uri", "str", "The rejected file or record.", nullable=False, index=True),
            Col("stage", "str", "Stage that rejected it: ingest, clean, dedup, nlp.", nullable=False),
            Col("reason", "text", "Why, specifically.", nullable=False),
            _batch(),
        ),
        ("batch_id", "source_uri", "stage"),
        counted=True,
    ),
    TableDef(
        "inputs",
        "The input ledger: one row per input record (a whole file for single-record formats), with the file's fingerprint, the batch it went to and what became of it. A re-run skips files whose fingerprint is unchanged.",
        (
            Col("source_uri", "str", "The record, as in articles.source_uri and rejects.source_uri.", nullable=False),
            Col("file_uri", "str", "The file holding the record: `<input root name>/<path under the root>`.", nullable=False, index=True),
            Col("path", "text", "Absolute path of the file when it was read.", nullable=False),
            Col("size", "int", "File size in bytes when it was read.", nullable=False),
            Col("mtime_ns", "int", "File modification time (ns since the epoch) when it was read.", nullable=False),
            Col("file_hash", "str", "BLAKE2b-128 of the file's bytes: an unchanged hash means an unchanged file.", nullable=False),
            Col("outcome", "str", "stored (this record's article row), already_stored (its article was stored by another record), duplicate (an exact copy of another record of the same run), or rejected.", nullable=False),
            Col("article_id", "str", "The article the record is (stored, already_stored, duplicate); null when rejected.", index=True),
            Col("run_id", "str", "Run that read the record.", nullable=False),
            _batch(),
        ),
        ("source_uri",),
        counted=True,
        internal=True,
    ),
    TableDef(
        "signatures",
        "MinHash signatures of stored articles, so near-duplicates are found across runs.",
        (
            Col("article_id", "str", "The article.", nullable=False),
            Col("signature", "bytes", "128 MinHash values, uint32 little-endian.", nullable=False),
            _batch(),
        ),
        ("article_id",),
        article_key="article_id",
        internal=True,
    ),
    TableDef(
        "signature_bands",
        "LSH band keys of the signatures: a new article's candidates are the articles that share a band key.",
        (
            Col("band_key", "str", "Band number and hash of the band's values.", nullable=False),
            Col("article_id", "str", "The article.", nullable=False, index=True),
            _batch(),
        ),
        ("band_key", "article_id"),
        article_key="article_id",
        internal=True,
    ),
    TableDef(
        "batches",
        "Load state: one row per batch loaded, written last, so a batch without a row is incomplete.",
        (
            Col("batch_id", "str", "Batch id: a fingerprint of the batch's input files and their contents (with the DAG interval and shard for Airflow runs).", nullable=False),
            Col("run_id", "str", "Run that last loaded the batch.", nullable=False),
            Col("loaded_at", "ts", "When the batch was committed, UTC.", nullable=False),
            Col("articles", "int", "Articles stored by the batch.", nullable=False),
            Col("sentences", "int", "Sentences stored by the batch.", nullable=False),
            Col("mentions", "int", "Mentions stored by the batch.", nullable=False),
            Col("entities", "int", "Entities first stored by the batch.", nullable=False),
            Col("quotes", "int", "Quotes stored by the batch.", nullable=False),
            Col("rejects", "int", "Reject rows of the batch.", nullable=False),
            Col("inputs", "int", "Ledger rows of the batch.", nullable=False),
            Col("load_id", "str", "The load that last changed the batch's rows.", nullable=False),
        ),
        ("batch_id",),
    ),
    TableDef(
        "runs",
        "One row per run of the pipeline, with its counts.",
        (
            Col("run_id", "str", "Time-ordered run id.", nullable=False),
            Col("started_at", "ts", "Start, UTC.", nullable=False),
            Col("finished_at", "ts", "End, UTC; null while running.", nullable=True),
            Col("status", "str", "running, succeeded, failed, or abandoned (its process was killed; the next run marks it).", nullable=False),
            Col("host", "str", "Host that ran it.", nullable=True),
            Col("pid", "int", "Process id of the run on its host.", nullable=True),
            Col("inputs", "text", "The input paths of the run.", nullable=True),
            Col("files", "int", "Input files read.", nullable=False),
            Col("articles", "int", "Articles stored (new or replaced).", nullable=False),
            Col("sentences", "int", "Sentences stored.", nullable=False),
            Col("mentions", "int", "Mentions stored.", nullable=False),
            Col("entities", "int", "Entities first stored.", nullable=False),
            Col("quotes", "int", "Quotes stored.", nullable=False),
            Col("rejects", "int", "Inputs rejected as bad.", nullable=False),
            Col("duplicates", "int", "Exact duplicates dropped.", nullable=False),
            Col("near_duplicates", "int", "Near-duplicates stored with near_duplicate_of set.", nullable=False),
            Col("non_english", "int", "Articles stored without English NLP.", nullable=False),
            Col("skipped_existing", "int", "Articles already stored by another batch.", nullable=False),
            Col("unchanged", "int", "Input files skipped because the ledger holds them unchanged.", nullable=False),
            Col("pruned", "int", "Input files removed from the warehouse because they no longer exist (--prune).", nullable=False),
            Col("words", "int", "Words processed.", nullable=False),
            Col("seconds", "float", "Wall time of the run.", nullable=True),
            Col("error", "text", "Why the run failed.", nullable=True),
        ),
        ("run_id",),
    ),
    TableDef(
        "loads",
        "The load log (SQL only): one row per committed load transaction, so an interrupted publication to Parquet can be finished at the next start.",
        (
            Col("load_id", "str", "Unique id of the load.", nullable=False),
            Col("run_id", "str", "Run that made the load.", nullable=False),
            Col("committed_at", "ts", "Commit time, UTC.", nullable=False),
            Col("batches", "text", "Batches the load changed, space-separated.", nullable=False),
        ),
        ("load_id",),
        in_parquet=False,
        internal=True,
    ),
)

BY_NAME = {t.name: t for t in TABLES}
# Tables whose rows belong to a load batch (Parquet partitions), children first, the marker last.
BATCH_TABLES = tuple(t.name for t in TABLES if t.per_batch and t.name not in ("articles", "batches")) + ("articles", "batches")
# What a load package carries: every batch table but `batches`, which the loader writes.
PACKAGE_TABLES = tuple(t for t in BATCH_TABLES if t != "batches")
# Rows that hang off an article and go with it.
ARTICLE_TABLES = tuple(t.name for t in TABLES if t.article_key)
# Counted per batch (the `batches` row) and in run summaries.
COUNTED = tuple(t.name for t in TABLES if t.counted)
# Published to Parquet.
PARQUET_TABLES = tuple(t.name for t in TABLES if t.in_parquet)
# Published as Airflow Assets by every DAG run that loads (the analyst tables).
ASSET_TABLES = tuple(t.name for t in TABLES if t.in_parquet and not t.internal)

@functools.cache
def _arrow_types() -> dict[str, pa.DataType]:
    import pyarrow as pa

    return {
        "str": pa.string(),
        "text": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "ts": pa.timestamp("us", tz="UTC"),
        "bytes": pa.binary(),
        "date": pa.date32(),
    }


def _sql_type(kind: str) -> sa.types.TypeEngine:
    import sqlalchemy as sa

    types: dict[str, sa.types.TypeEngine] = {
        "str": sa.String(),
        "text": sa.Text(),
        "int": sa.BigInteger(),
        "float": sa.Float(),
        "ts": sa.DateTime(timezone=True),
        "bytes": sa.LargeBinary(),
        "date": sa.Date(),
    }
    return types[kind]


@functools.cache
def arrow_schema(name: str, with_partition: bool = True) -> pa.Schema:
    import pyarrow as pa

    table = BY_NAME[name]
    types = _arrow_types()
    return pa.schema(
        [
            pa.field(c.name, types[c.kind], nullable=c.nullable)
            for c in table.columns
            if with_partition or c.name != PARTITION
        ]
    )


def _sql_table(t: TableDef, metadata: sa.MetaData) -> sa.Table:
    import sqlalchemy as sa

    cols = [
        sa.Column(c.name, _sql_type(c.kind), nullable=c.nullable, primary_key=c.name in t.primary_key, comment=c.doc)
        for c in t.columns
    ]
    indexes = [sa.Index(f"ix_{t.name}_{c.name}", c.name) for c in t.columns if c.index]
    return sa.Table(t.name, metadata, *cols, *indexes, comment=t.doc)


@functools.cache
def _sql() -> tuple[sa.MetaData, dict[str, sa.Table]]:
    import sqlalchemy as sa

    metadata = sa.MetaData()
    return metadata, {t.name: _sql_table(t, metadata) for t in TABLES}


def __getattr__(name: str) -> Any:
    """``metadata`` and ``SQL_TABLES``, built on first use (PEP 562)."""
    if name == "metadata":
        return _sql()[0]
    if name == "SQL_TABLES":
        return _sql()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    metadata: sa.MetaData
    SQL_TABLES: dict[str, sa.Table]

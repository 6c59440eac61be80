"""Field names of structured news records (news-please first, then the usual alternatives)."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from etl.ingest.base import normalise_language, parse_date, text_value
from etl.records import RawArticle

BODY = (
    "maintext",
    "text",
    "body",
    "content",
    "article",
    "article_body",
    "articlebody",
    "full_text",
    "fulltext",
    "story",
)
TITLE = ("title", "headline")
DATE = (
    "date_publish", "published_at", "date_published", "datepublished", "publish_date", "published",
    "pubdate", "pub_date", "publication_date", "date", "datetime", "timestamp", "time", "created_at",
)  # fmt: skip
URL = ("url", "link", "uri", "source_url", "canonical_url", "href", "permalink")
OUTLET = (
    "source_domain",
    "outlet",
    "publisher",
    "source",
    "site_name",
    "sitename",
    "domain",
    "site",
    "newspaper",
    "media",
)
LANGUAGE = ("language", "lang", "language_code", "locale", "inlanguage")


def _key_map(record: Mapping[str, Any]) -> dict[str, str]:
    """Lower-cased, separator-free field name -> the record's own key."""
    out: dict[str, str] = {}
    for key in record:
        if isinstance(key, str):
            out.setdefault(key.strip().lower().replace("-", "_").replace(" ", "_"), key)
    return out


def pick(record: Mapping[str, Any], names: tuple[str, ...], keys: dict[str, str] | None = None) -> Any:
    """The first non-empty value among ``names``."""
    keys = keys if keys is not None else _key_map(record)
    for name in names:
        key = keys.get(name)
        if key is None:
            continue
        value = record[key]
        if value not in (None, "", [], {}):
            return value
    return None


def body_field(columns: list[str]) -> str | None:
    """The column that holds the body, if any (for a CSV header)."""
    keys = _key_map(dict.fromkeys(columns))
    for name in BODY:
        if name in keys:
            return keys[name]
    return None


def _outlet(value: Any, url: str | None) -> str | None:
    if isinstance(value, dict):  # NewsAPI: {"id": ..., "name": ...}
        value = value.get("name") or value.get("id")
    if isinstance(value, str) and value.strip():
        return value.strip()
    if url:
        try:
            host = urlsplit(url).hostname
        except ValueError:  # a malformed URL ("http://[::1") names no outlet; the record still loads
            return None
        if host:
            return host.removeprefix("www.")
    return None


_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});")


def _plain(text: str | None) -> str | None:
    """HTML markup turned into lines and entities (``&amp;``, ``&#8217;``) unescaped."""
    if text is None:
        return None
    from etl.ingest.html import fragment_to_text, looks_like_markup

    if looks_like_markup(text):
        text = fragment_to_text(text)
    elif _ENTITY.search(text):
        text = html.unescape(text)
    return text if text.strip() else None


def to_raw(record: Mapping[str, Any], source_uri: str, fmt: str) -> RawArticle | str:
    """A ``RawArticle`` from a structured record, or the reason there is none."""
    keys = _key_map(record)
    body = _plain(text_value(pick(record, BODY, keys)))
    if body is None:
        return f"no article text in {fmt.upper()} record (no non-empty field named {', '.join(BODY[:4])} or similar)"
    title = text_value(pick(record, TITLE, keys))
    title = html.unescape(title) if title and _ENTITY.search(title) else title
    url = pick(record, URL, keys)
    url = url.strip() if isinstance(url, str) and url.strip() else None
    return RawArticle(
        source_uri=source_uri,
        text=body,
        title=title.strip() if title else None,
        url=url,
        outlet=_outlet(pick(record, OUTLET, keys), url),
        published_at=parse_date(pick(record, DATE, keys)),
        language=normalise_language(pick(record, LANGUAGE, keys)),
        format=fmt,
        is_extracted=True,
    )

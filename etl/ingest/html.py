"""HTML pages: the article's main text without boilerplate, and its title, date and URL.

Extraction is trafilatura (precision-leaning settings, no comments or tables) followed by a small
post-filter of lines that are page furniture rather than article text: bylines, share prompts,
"read more" links, newsletter and cookie notices, photo credits, wire-service credits. Metadata is
read from the page's own markup (Open Graph, ``article:*``, JSON-LD, ``<time>``, canonical link)
before trafilatura's guesses.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from etl.ingest.base import STAGE, normalise_language, parse_date, strip_head
from etl.records import RawArticle, Reject

logger = logging.getLogger(__name__)
# trafilatura logs every page it finds nothing in at ERROR level; its verdict is our reject reason
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

_HTML_HEAD = (b"<!doctype html", b"<html", b"<?xml", b"<head", b"<!--", b"<body", b"<meta")


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str  # paragraphs, one a line
    title: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    outlet: str | None = None
    language: str | None = None


# ---------------------------------------------------------------------------------------------
# metadata from the page's own markup

_DATE_META = (
    "article:published_time", "og:article:published_time", "datepublished", "date", "pubdate",
    "publishdate", "publish-date", "publish_date", "dc.date", "dc.date.issued", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "article.published", "cxenseparse:recs:publishtime",
)  # fmt: skip


def _meta(tree: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        value = (el.get("content") or "").strip()
        if key and value:
            out.setdefault(key, value)
    return out


def _json_ld(tree: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for el in tree.iter("script"):
        if (el.get("type") or "").lower() != "application/ld+json" or not el.text:
            continue
        try:
            data = json.loads(el.text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.append(item["@graph"])
                types = item.get("@type")
                types = types if isinstance(types, list) else [types]
                if any(isinstance(t, str) and ("Article" in t or t in {"Report", "BlogPosting"}) for t in types):
                    found.append(item)
    return found


_TITLE_SEP = re.compile(r"\s+[|–—:-]\s+|\s+[|–—]\s*|\s*[|–—]\s+")


def _heading_title(tree: Any) -> str | None:
    """The page's one <h1>, else the longest part of its <title> (the rest is the site's name)."""
    h1s = [" ".join(h.text_content().split()) for h in tree.iter("h1")]
    h1s = [h for h in h1s if len(h.split()) >= 3]
    if len(h1s) == 1:
        return h1s[0]
    for el in tree.iter("title"):
        text = " ".join((el.text_content() or "").split())
        parts = [p for p in _TITLE_SEP.split(text) if p.strip()]
        if parts:
            return max(parts, key=len).strip()
    return None


def page_metadata(tree: Any) -> dict[str, Any]:
    meta = _meta(tree)
    ld = _json_ld(tree)
    date_value: Any = None
    for article in ld:
        date_value = article.get("datePublished") or article.get("dateCreated")
        if date_value:
            break
    if not date_value:
        date_value = next((meta[k] for k in _DATE_META if k in meta), None)
    if not date_value:
        for el in tree.iter("time"):
            if el.get("datetime") and (el.get("itemprop") == "datePublished" or "pub" in (el.get("class") or "")):
                date_value = el.get("datetime")
                break
    title = meta.get("og:title") or meta.get("twitter:title")
    for article in ld:
        title = article.get("headline") or title
        if title:
            break
    if not title:
        title = _heading_title(tree)
    url = None
    for el in tree.iter("link"):
        if (el.get("rel") or "").lower() == "canonical" and el.get("href"):
            url = el.get("href").strip()
            break
    url = url or meta.get("og:url")
    outlet = meta.get("og:site_name")
    for article in ld:
        pub = article.get("publisher")
        if isinstance(pub, dict) and isinstance(pub.get("name"), str):
            outlet = outlet or pub["name"]
    language = None
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    language = normalise_language(root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang"))
    language = language or normalise_language(meta.get("og:locale") or meta.get("content-language"))
    for article in ld:
        language = language or normalise_language(article.get("inLanguage"))
    return {
        "date": parse_date(date_value) if date_value else None,
        "title": title.strip() if isinstance(title, str) and title.strip() else None,
        "url": url if isinstance(url, str) and url.startswith("http") else None,
        "outlet": outlet,
        "language": language,
    }


# ---------------------------------------------------------------------------------------------
# post-filter: lines that are page furniture, not article text

_FURNITURE = re.compile(
    r"""^(?:
(?:share|teilen|partager)(?:\s+(?:this|on|via|article|story|page|post))*(?:\s*[:|]?\s*(?:facebook|twitter|x|whatsapp|e-?mail|linkedin|reddit|copy\s+link|messenger|print))*\s*[:!]?$
      | (?:read|see|watch|listen)\s+(?:more|also|next)\s*[:›»>-].{0,160}$
      | (?:also\s+(?:read|see|watch|on\s+\w+)|watch|listen|video|audio|gallery)\s*[:›»>].{0,160}$
      | (?:related|more\s+on\s+this\s+story|recommended|most\s+read|trending)\s*[:›»>].{0,160}$
      | (?:related|recommended|more|latest|top|popular)\s+(?:stories|articles|content|topics|coverage|news|reading|links|videos)$
      | (?:more\s+on\s+this\s+story|most\s+(?:read|popular|viewed|shared)|trending(?:\s+now)?|you\s+may\s+also\s+like|don't\s+miss)$
      | (?:lesen\s+sie\s+(?:auch|mehr)|mehr\s+zum\s+thema|auch\s+interessant)\s*[:›»>-].{0,160}$
      | (?:(?:à\s+)?lire\s+aussi|voir\s+aussi|le[ea]r?\s+también|leggi\s+anche|lees\s+ook)\s*[:›»>-].{0,160}$
      | (?:advertisement|anzeige|sponsored(?:\s+content)?|publicité|werbung)$
      | (?:sign\s+up|subscribe)\b.{0,160}$
      | (?=.{0,240}$)(?=.*\b(?:our|your|free|daily|weekly|morning|evening)\b)(?=.*\b(?:sign|subscribe|inbox|e-?mail|register|abonn\w*|anmeld\w*)\b).*\bnewsletters?\b.*
      | (?=.{0,240}$).*\bnewsletter\b.*(?:jetzt\s+anmelden|abonnieren|inscrivez|s'abonner).*
      | (?=.{0,400}$)(?:we|this\s+(?:web)?site|our\s+(?:web)?site|wir|nous)\s+(?:and\s+our\s+partners\s+)?(?:use|uses|verwenden|nutzen|utilisons)\s+(?:des\s+)?cookies\b.*
      | (?=.{0,400}$).*\byou\s+(?:agree|consent)\s+to\s+(?:our|the)\s+use\s+of\s+cookies\b.*
      | (?:photo|image|picture|foto|bild)(?:\s+(?:caption|source|credit))?\s*[:,].{0,160}$
      | (?:\(?(?:additional\s+)?(?:reporting|writing|editing|compiled|produced)\s+by\b.{0,200})$
      | (?:copyright\s*(?:©|\(c\)|\d{4})|©|\(c\)\s*\d{4}).{0,160}$
      | (?:updated|published|last\s+updated|posted|aktualisiert|veröffentlicht)\s*(?:on|at|:)?\s*\d.{0,60}$
      | (?:follow\s+(?:us|me|him|her)\s+on|click\s+here|tap\s+here)\b.{0,120}$
      | (?:comments?|kommentare?)\s*(?:\(\d+\))?\s*$
      | (?:topics|tags|themen|schlagwörter)\s*:.{0,200}$
      | (?:this\s+(?:article|story)\s+(?:is|was)\s+(?:from|part)|all\s+rights\s+reserved).{0,200}$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# "By Jane Doe", "By Jane Doe, Political Correspondent", "Von Anna Schmidt | dpa"; not a sentence
_BYLINE = re.compile(
    r"^(?i:by|von|par|por)\s+[A-Z][\w.'-]+(?:\s+(?:[A-Z][\w.'-]+|van|von|de|der|da|di|le|la)){0,4}"
    r"(?:\s*(?:,|\||-|–|—|and|und|&|in)\s*[^.!?]{0,60})?$"
)
_SOCIAL = re.compile(
    r"^(?:(?:facebook|twitter|x|linkedin|whatsapp|email|e-mail|print|copy link|reddit|pinterest)\W*){1,}$", re.I
)


def is_furniture(line: str) -> bool:
    s = line.strip()
    if not s:
        return True
    if _SOCIAL.match(s) or _BYLINE.match(s):
        return True
    return bool(_FURNITURE.match(s))


# "Jane Doe is a columnist for ..." closing an opinion piece: a tagline, not article text
_TAGLINE = re.compile(
    r"^[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){1,3}\s+is\s+(?:a|an|the)\s+[^.]{0,120}?"
    r"\b(?:columnist|correspondent|reporter|writer|editor|author|journalist|contributor|professor|fellow|director)\b"
)
_BULLET = re.compile(r"^(?:[-*•·]\s+)")


def post_filter(text: str, title: str | None = None) -> str:
    """Drop furniture lines, the page header (kicker, headline) above the text, and repeated lines."""
    lines = [_BULLET.sub("", line.strip()) for line in text.split("\n")]
    lines = [line for line in lines if line]
    if title:
        # a headline among the first lines: it and anything above it is header, not text
        norm_title = _norm(title)
        for i, line in enumerate(lines[:4]):
            key = _norm(line)
            if key and (key == norm_title or (len(key) > 20 and (key in norm_title or norm_title in key))):
                lines = lines[i + 1 :]
                break
    out: list[str] = []
    seen: set[str] = set()
    for line in lines:
        if is_furniture(line):
            continue
        key = _norm(line)
        if key in seen:
            continue  # pull quotes repeat a paragraph
        seen.add(key)
        out.append(line)
    while out and _TAGLINE.match(out[-1]):
        out.pop()
    # menus above the text and link lists below it: trim short non-sentence lines at either end
    if not any(is_prose(line) for line in out):
        return ""  # menus, link lists, an error page: no running text, no article
    # short sentences ("The trial continues.") may end the text; headlines, menus and links rarely end a sentence
    keep = [i for i, line in enumerate(out) if is_prose(line) or is_sentence(line)]
    return "\n".join(out[keep[0] : keep[-1] + 1])


_TERMINAL = re.compile(r"[.!?:;…\"”’»“)]$")


_SENTENCE = re.compile(r"^[\"“‘'«„(]?[A-ZÀ-ÖØ-Þ0-9].*[.!?][\"”’'»)]?$")


def is_sentence(line: str) -> bool:
    """A capitalised line of three words or more ending a sentence."""
    return len(line.split()) >= 3 and bool(_SENTENCE.match(line))


def is_prose(line: str) -> bool:
    """A line that reads as running text: a long one, or a sentence-length one ending a sentence."""
    words = len(line.split())
    return words >= 20 or (words >= 8 and bool(_TERMINAL.search(line)))


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


# ---------------------------------------------------------------------------------------------


# embedded social posts and pull quotes: quoted from elsewhere or repeated, never the article's text
_PRUNE = [
    "//blockquote[contains(@class,'tweet') or contains(@class,'instagram') or contains(@class,'embed')"
    " or contains(@class,'tiktok') or contains(@class,'social')]",
    "//*[contains(@class,'pullquote') or contains(@class,'pull-quote')]",
]


def load_tree(data: bytes | str) -> Any:
    from trafilatura.utils import load_html

    return load_html(data)


def extract(data: bytes | str, url: str | None = None, *, postprocess: bool = True) -> Extracted | None:
    """The article in an HTML page, or None when the page has no article text."""
    import trafilatura

    tree = load_tree(data)
    if tree is None:
        return None
    meta = page_metadata(tree)
    options: dict[str, Any] = {
        "url": url or meta["url"],
        "with_metadata": True,
        "include_comments": False,
        "include_tables": False,
        "include_images": False,
        "deduplicate": False,
    }
    extract_with: Any = trafilatura.bare_extraction  # returns a Document (untyped union upstream)
    doc: Any = None
    if postprocess:
        # precision first; when that finds nothing or far less than the default pass (old table
        # layouts, <br>-separated text), the default pass is the better reading of the page
        precise = extract_with(tree, favor_precision=True, prune_xpath=_PRUNE, **options)
        default = extract_with(tree, prune_xpath=_PRUNE, **options)
        doc = precise
        if default is not None and (precise is None or len(precise.text or "") < 0.5 * len(default.text or "")):
            doc = default
    else:
        doc = extract_with(tree, **options)
    if doc is None or not (doc.text or "").strip():
        return None
    text = doc.text
    title = meta["title"] or (doc.title or None)
    if postprocess:
        text = post_filter(text, title)
        if not text.strip():
            return None
    return Extracted(
        text=text,
        title=title,
        url=url or meta["url"] or doc.url or None,
        published_at=meta["date"] or parse_date(doc.date),
        outlet=meta["outlet"] or doc.sitename or doc.hostname or None,
        language=meta["language"] or normalise_language(doc.language),
    )


_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section",
    "article", "tr", "table", "pre", "hr", "figure", "dd", "dt",
}  # fmt: skip
_DROP_TAGS = ("script", "style", "noscript", "iframe", "svg", "form", "button", "figcaption", "aside", "nav")
_MARKUP = re.compile(r"<(?:p|div|br|span|a|strong|em|b|i|h[1-6]|li|ul|ol|blockquote|figure|img)\b[^>]*>", re.I)


def looks_like_markup(text: str) -> bool:
    """A field's text holds HTML markup (a CMS export's body) rather than plain text."""
    return len(_MARKUP.findall(text[:20000])) >= 2


def fragment_to_text(fragment: str) -> str:
    """Plain text, a block a line, of an HTML fragment (a JSON or CSV body field), scripts and captions dropped."""
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, TypeError):
        return fragment
    for el in list(root.iter(*_DROP_TAGS)):
        el.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            if el.tag.lower() != "br":
                el.text = "\n" + (el.text or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def looks_like_html(head: bytes) -> bool:
    h = strip_head(head)
    return h.startswith(_HTML_HEAD) and (b"<html" in h or b"<body" in h or b"<head" in h or b"<p" in h)


def html_to_raw(payload: bytes | str, source_uri: str, fmt: str, url: str | None = None) -> RawArticle | Reject:
    """One HTML payload (a file or a WARC record) to a record."""
    from lxml.etree import LxmlError

    try:
        got = extract(payload, url)
    except (LxmlError, ValueError) as exc:
        return Reject(source_uri, STAGE, f"unparseable HTML: {exc}")
    if got is None:
        return Reject(source_uri, STAGE, "no article text in HTML page")
    return RawArticle(
        source_uri=source_uri,
        text=got.text,
        title=got.title,
        url=got.url,
        outlet=got.outlet,
        published_at=got.published_at,
        language=got.language,
        format=fmt,
        is_extracted=True,
    )


class HtmlReader:
    name = "html"
    extensions = (".html", ".htm", ".xhtml", ".shtml")

    def matches(self, name: str, head: bytes) -> bool:
        return name.endswith(self.extensions) or looks_like_html(head)

    def read(self, data: bytes, source_uri: str) -> Iterator[RawArticle | Reject]:
        yield html_to_raw(data, source_uri, self.name)

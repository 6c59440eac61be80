"""A tiny hand-written corpus for the analyst tools: dated articles with quotes, a German article,
an exact and a near duplicate, and bad files. Written to a folder; the pipeline loads it for real."""

from __future__ import annotations

import json
from pathlib import Path

BRIDGE = (
    "Riverton will open its new bridge in the spring, city officials said on Friday.\n\n"
    "\u201cWe will finish the bridge before the floods come back,\u201d said Maria Lopez, the mayor of Riverton. "
    "The project has cost more than the council planned, and the work has run late for two years.\n\n"
    "Engineers from the Northern Rail Company inspected the steel last week. "
    "\u201cThe structure is sound and the paint is the only thing left,\u201d said Daniel Okafor, the chief engineer.\n\n"
    "Residents have waited a long time. Many drive forty minutes around the river every morning to reach the "
    "factories on the eastern bank, and shop owners say the detour has cost them customers for years."
)
HARBOUR = (
    "The harbour at Eastport reopened on Saturday after a week of storms.\n\n"
    "\u201cThe fishing fleet can go out again tomorrow,\u201d said Maria Lopez, who visited the harbour with the "
    "port authority. Boats had stayed tied up since Monday.\n\n"
    "Peter Lindqvist, the harbour master, said the damage to the piers was smaller than feared."
)
MARKET = (
    "Prices at the Westfield farmers market rose again in March, the Westfield Traders Guild said.\n\n"
    "\u201cPeople still come, but they buy less,\u201d said Anna Weber, who has sold vegetables there for ten years. "
    "The market board will meet in April to discuss the stall fees."
)
GERMAN = (
    "Die Stadt Riverton wird die neue Br\u00fccke im Fr\u00fchling er\u00f6ffnen, sagten Beamte am Freitag. "
    "Die Bauarbeiten haben l\u00e4nger gedauert als geplant, und die Kosten sind gestiegen. "
    "Viele Bewohner fahren jeden Morgen vierzig Minuten um den Fluss herum."
)

# A syndicated copy of BRIDGE: the same story with a new closing line (near-duplicate, not exact).
BRIDGE_COPY = BRIDGE + " The city will hold a small ceremony on the first day."


def write_corpus(folder: Path) -> Path:
    """The corpus under ``folder/corpus``: 4 distinct articles + 1 near copy, 1 exact copy, 3 bad files."""
    corpus = folder / "corpus"
    corpus.mkdir(parents=True)
    records = [
        {"title": "Riverton bridge to open in spring", "maintext": BRIDGE, "date_publish": "2024-03-01 09:00:00",
         "source_domain": "riverton-news.example", "url": "https://riverton-news.example/bridge"},
        {"title": "Eastport harbour reopens", "maintext": HARBOUR, "date_publish": "2024-03-02 10:30:00",
         "source_domain": "coast-daily.example"},
        {"title": "Market prices rise", "maintext": MARKET, "date_publish": "2024-03-02 18:00:00",
         "source_domain": "coast-daily.example"},
        {"title": "Riverton-Br\u00fccke", "maintext": GERMAN, "date_publish": "2024-03-03 08:00:00",
         "source_domain": "riverton-news.example"},
        {"title": "Bridge to open (wire copy)", "maintext": BRIDGE_COPY, "date_publish": "2024-03-03 12:00:00",
         "source_domain": "wire.example"},
    ]
    (corpus / "news.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (corpus / "market-again.txt").write_text("Market prices rise\n\n" + MARKET + "\n", encoding="utf-8")
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    (corpus / "broken.jsonl").write_text('{"title": "half a record", "maintext": \n', encoding="utf-8")
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4 not an article")
    return corpus

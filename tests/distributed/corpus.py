"""Hand-written news articles for the distributed test: N distinct stories, each with a quote.

Every article is built from its index alone (no reference data): a town, a body, a speaker, a topic
and a figure picked by different strides, plus a sentence of its own, so no two articles are near
copies (word 3-gram Jaccard far below the dedup threshold) and a sharded run must find what a single
run finds.
"""

from __future__ import annotations

from pathlib import Path

TOWNS = ["Ashford", "Bexley", "Carlow", "Dover", "Ely", "Frome", "Goole", "Hythe", "Ilkley", "Jarrow", "Kendal",
         "Leek", "Malton", "Nairn", "Oakham", "Penrith", "Ripon", "Selby", "Thirsk", "Ulverston", "Wells", "Yeovil"]
PEOPLE = ["Maria Lopez", "John Carter", "Aiko Tanaka", "Peter Novak", "Grace Obi", "Lars Berg", "Nadia Haddad",
          "Tomas Silva", "Helen Moore", "Ravi Patel", "Olga Ivanova", "Samuel King", "Chen Wei"]
BODIES = ["the city council", "the transport union", "the health trust", "the football club", "the local bank",
          "the shipping company", "the university", "the water board", "the chamber of commerce", "the fire service"]
TOPICS = [
    ("bus routes", "Drivers will cover the northern estates from the spring"),
    ("a new library", "The building will open on Saturdays and late on Thursdays"),
    ("flood defences", "Engineers expect the river wall to hold a one-in-fifty-year storm"),
    ("school meals", "Kitchens will buy vegetables from farms inside the county"),
    ("street lighting", "Every lamp on the ring road is to be replaced with a low-energy unit"),
    ("the harbour", "Fishing boats will pay lower mooring fees during the winter months"),
    ("a cycling lane", "The lane runs from the station to the hospital along the canal"),
    ("park maintenance", "Volunteers will plant trees along the eastern edge of the common"),
    ("housing repairs", "Tenants in older flats will get new windows before the cold weather"),
    ("the market hall", "Traders asked for longer opening hours and cheaper stall rents"),
    ("broadband", "Villages in the hills should get fibre connections by the autumn"),
]
VERBS = ["approved", "delayed", "rejected", "welcomed", "questioned", "funded", "announced"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
EXTRAS = [
    "Opposition members said the figures had arrived too late for proper scrutiny",
    "Residents filled the public gallery and several asked questions about parking",
    "A petition signed by {n} people was handed in before the meeting began",
    "The proposal will return to committee for a final vote next month",
    "Local businesses had lobbied for the change for more than {k} years",
    "An independent auditor is expected to review the spending in {m}",
    "Campaigners outside the hall carried banners and handed out leaflets",
]
MONTHS = ["January", "March", "May", "July", "September", "November"]


def article(i: int) -> str:
    town = TOWNS[i % len(TOWNS)]
    person = PEOPLE[(i * 5) % len(PEOPLE)]
    body = BODIES[(i * 3) % len(BODIES)]
    topic, detail = TOPICS[(i * 7) % len(TOPICS)]
    verb = VERBS[i % len(VERBS)]
    day = DAYS[(i // 3) % len(DAYS)]
    extra = EXTRAS[(i * 2) % len(EXTRAS)].format(n=120 + 37 * i, k=2 + i % 9, m=MONTHS[i % len(MONTHS)])
    surname = person.split()[-1]
    amount = 10_000 + 1_375 * i
    return (
        f"{town} {verb} plan on {topic}, report {i}\n\n"
        f"Officials in {town} {verb} a plan on {topic} on {day}, after {body} put forward a budget of "
        f"{amount} pounds for the scheme known locally as project {i}. {detail}.\n\n"
        f"\u201cWe have listened to the people of {town} and we will publish every figure,\u201d said {person}, "
        f"who speaks for {body}. {extra}.\n\n"
        f"{surname} added that a progress report on project {i} would follow within {3 + i % 6} weeks.\n"
    )


def write_corpus(folder: Path, count: int, start: int = 0) -> list[Path]:
    """Articles ``start`` .. ``start + count - 1`` as ``<folder>/<group>/article_<i>.txt`` (ten groups, so discovery recurses)."""
    paths = []
    for i in range(start, start + count):
        path = folder / f"group_{i % 10}" / f"article_{i:04d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article(i), encoding="utf-8")
        paths.append(path)
    return paths

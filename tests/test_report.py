"""The run report: a self-contained page that headless Chromium (Debian's package) renders with its charts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest
from PIL import Image
from typer.testing import CliRunner

from etl.analyst import charts
from etl.analyst.report import SECTIONS, build_report, render_html, write_report
from etl.cli import app
from etl.warehouse.parquet import read_table

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WIDTH, HEIGHT = 1100, 9000
# each chart's bar colour (see etl/analyst/report.py), to find what was drawn in the screenshot
COLOURS = {
    "per-day": charts.PALETTE[0],
    "speakers": charts.PALETTE[2],
    "entities": charts.PALETTE[3],
    "languages": charts.PALETTE[4],
    "rejects": charts.PALETTE[5],
    "duplicates": charts.PALETTE[6],
    "runs": charts.PALETTE[7],
    "batches": charts.PALETTE[8],
}


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium on ``page``, with no way to reach a network. Fails (never skips) without it."""
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: `make chromium` installs Debian's package (make test does it)")
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
        "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}", *args, page.as_uri(),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture(scope="module")
def page(analyst_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(app, ["report", "--warehouse", str(analyst_warehouse), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "report written to" in result.output
    return out


def _expected_bars(warehouse: Path) -> dict[str, int]:
    """How many bars each chart must have, counted from the Parquet tables directly."""
    root = warehouse / "parquet"
    articles = read_table(root, "articles").to_pylist()
    quotes = read_table(root, "quotes").to_pylist()
    rejects = read_table(root, "rejects").to_pylist()
    mentioned = {m["entity_id"] for m in read_table(root, "mentions").to_pylist()}
    days = {a["published_at"].date() for a in articles if a["published_at"]}
    return {
        "per-day": 2 * len(days),  # articles and quotes for each day
        "speakers": min(15, len({q["speaker_name"] or q["speaker_text"] for q in quotes if q["speaker_entity_id"]})),
        "entities": min(15, len(mentioned)),
        "languages": len({a["language"] for a in articles}),
        "rejects": len({(r["stage"], r["reason"]) for r in rejects if r["stage"] != "dedup"}),
        "duplicates": 3,
        "runs": read_table(root, "runs").num_rows,
        "batches": read_table(root, "batches").num_rows,
    }


def test_report_page_fetches_nothing(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    doc = lxml.html.fromstring(text)
    assert doc.xpath("//script") == [] and doc.xpath("//link") == [] and doc.xpath("//img") == []
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", text)
    assert not re.search(r"url\(\s*['\"]?https?:", text)
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert csp and "default-src 'none'" in csp[0]


def test_report_chromium_draws_every_chart(page: Path, analyst_warehouse: Path, tmp_path: Path) -> None:
    expected = _expected_bars(analyst_warehouse)
    assert all(n > 0 for n in expected.values()), expected
    assert set(expected) == {fn.__name__.replace("_", "-") for fn in SECTIONS}

    # the DOM Chromium built: every chart is an SVG with one element per bar, and its labels as text
    dom = lxml.html.fromstring(chromium(page, tmp_path / "dom", "--dump-dom").stdout)
    for chart, bars in expected.items():
        svg = dom.xpath(f"//figure[@id='chart-{chart}']//*[local-name()='svg']")
        assert len(svg) == 1, chart
        drawn = svg[0].xpath(f".//*[starts-with(@id, '{chart}-bar-')]")
        assert len(drawn) == bars, (chart, len(drawn), bars)
    speaker_labels = dom.xpath("//figure[@id='chart-speakers']//*[local-name()='text']//text()")
    assert any("Maria Lopez" in t for t in speaker_labels)

    # the pixels Chromium drew: each chart's bar colour covers a real area of the screenshot
    shot = tmp_path / "report.png"
    chromium(page, tmp_path / "shot", f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={shot}")
    image = Image.open(shot).convert("RGB")
    counts = _colour_counts(image, list(COLOURS.values()))
    for chart, colour in COLOURS.items():
        assert counts[colour] > 300, f"{chart}: only {counts[colour]} pixels of {colour}"
    # and the rest is a page, not a blank or a single colour
    assert sum(counts.values()) < 0.5 * WIDTH * HEIGHT


def _colour_counts(image: Image.Image, colours: list[str], tolerance: int = 6) -> dict[str, int]:
    wanted = {c: tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in colours}
    counts = dict.fromkeys(colours, 0)
    for (r, g, b), n in ((px, n) for n, px in image.getcolors(maxcolors=WIDTH * HEIGHT) or []):
        for name, (wr, wg, wb) in wanted.items():
            if abs(r - wr) <= tolerance and abs(g - wg) <= tolerance and abs(b - wb) <= tolerance:
                counts[name] += n
    return counts


def test_report_of_an_empty_warehouse_says_so(tmp_path: Path) -> None:
    (tmp_path / "parquet").mkdir()
    report = build_report(tmp_path / "parquet")
    assert report.totals["articles"] == 0
    notes = {s.name: s for s in report.sections}
    assert "No article has a publication date" in notes["per-day"].note
    assert notes["speakers"].chart == "" and notes["languages"].chart == ""
    assert "<section" in render_html(report)


def test_report_is_written_whole(analyst_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "r.html"
    write_report(analyst_warehouse / "parquet", out)
    assert out.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert [p.name for p in out.parent.iterdir()] == ["r.html"]

"""The quote subpackage's shape: no import cycles, no private names across modules, imports
running one way (training -> evaluation -> nlp), one rule registry, a spaCy component whose
config holds the thresholds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from etl.nlp.model import get_nlp
from etl.nlp.quotes import NAME, RULES, QuoteConfig
from etl.nlp.quotes.registry import STAGES
from etl.settings import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1] / "etl"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports() -> dict[str, set[tuple[str, str | None]]]:
    """module -> {(imported module, imported name or None)}, function-level imports included."""
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    out: dict[str, set[tuple[str, str | None]]] = {}
    for name, path in modules.items():
        found: set[tuple[str, str | None]] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update((a.name, None) for a in node.names if a.name.startswith("etl"))
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("etl"):
                for a in node.names:
                    sub = f"{node.module}.{a.name}"
                    found.add((sub, None) if sub in modules else (node.module, a.name))
        out[name] = found
    return out


def test_quote_package_has_no_import_cycles() -> None:
    found = imports()
    graph = {m: {target for target, _ in deps if target in found} for m, deps in found.items()}
    # a package imports its submodules through __init__; a module importing its own package's
    # __init__ is the cycle to catch, so edges to a package count as edges to its __init__
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if n.startswith(m + "."):
                continue  # a package's __init__ re-exporting its own modules
            if state.get(n) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*stack[stack.index(n) :], n]))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def test_quote_package_no_private_names_across_modules() -> None:
    private = [
        (m, f"{target}.{name}")
        for m, deps in imports().items()
        for target, name in deps
        if name is not None and name.startswith("_") and not name.startswith("__")
    ]
    assert private == []


@pytest.mark.parametrize(
    ("lower", "upper"), [("etl.nlp", "etl.evaluation"), ("etl.nlp", "etl.training"), ("etl.evaluation", "etl.training")]
)
def test_quote_package_imports_run_one_way(lower: str, upper: str) -> None:
    wrong = [
        (m, target)
        for m, deps in imports().items()
        if m == lower or m.startswith(lower + ".")
        for target, _ in deps
        if target == upper or target.startswith(upper + ".")
    ]
    assert wrong == []


def test_quote_package_every_rule_is_registered_once_with_a_known_stage() -> None:
    assert {r.stage for r in RULES.values()} <= set(STAGES)
    expected = {
        "according", "frame", "tail", "said_colon", "name_colon", "continuation", "nearest_verb", "adjacent_verb",
        "next_sentence_verb", "reclaim_verb", "colon_intro", "dash", "previous_in_paragraph", "previous_paragraph",
    }  # fmt: skip
    assert set(RULES) == expected


def test_quote_package_component_config_holds_the_thresholds() -> None:
    nlp = get_nlp(DEFAULT_MODEL)
    assert nlp.pipe_names[-1] == NAME
    config = nlp.get_pipe_config(NAME)
    assert set(QuoteConfig.__dataclass_fields__) <= set(config)
    assert config["min_direct_words"] == QuoteConfig().min_direct_words


def test_quote_package_disabled_rule_changes_the_output() -> None:
    from etl.nlp.quotes import QuoteComponent

    nlp = get_nlp(DEFAULT_MODEL)
    text = "“We will win this race and then we will govern,” said Maria Lopez."
    with nlp.select_pipes(disable=[NAME]):
        doc = nlp(text)
    everything = QuoteComponent(QuoteConfig())(doc)._.news_etl_quotes
    assert [a.speaker_name for a in everything] == ["Maria Lopez"]
    # the quotation has a cue word next to it: either the frame rule or a quotation rule takes it
    no_frame = QuoteComponent(QuoteConfig(disabled_rules=("frame",)))
    assert [a.speaker_name for a in no_frame(doc)._.news_etl_quotes] == ["Maria Lopez"]
    no_rules = QuoteComponent(QuoteConfig(disabled_rules=tuple(RULES), run_threshold=1.01))  # nor the tagger
    assert "Maria Lopez" not in [a.speaker_name for a in no_rules(doc)._.news_etl_quotes]


def test_quote_package_tests_import_no_private_names() -> None:
    private = []
    for path in Path(__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("etl"):
                private += [f"{path.name}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    assert private == []

"""Print the data dictionary (Markdown) from the schema: ``python -m etl.warehouse.docs``."""

from __future__ import annotations

from etl.warehouse.schema import TABLES

_TYPES = {"str": "string", "text": "text", "int": "integer", "float": "float", "ts": "timestamp (UTC)", "bytes": "binary", "date": "date"}


def data_dictionary() -> str:
    parts = []
    for t in TABLES:
        key = ", ".join(t.primary_key)
        parts.append(f"### `{t.name}`\n{t.doc} Key: ({key}).\n\n| column | type | null | meaning |\n|---|---|---|---|")
        for c in t.columns:
            parts.append(f"| `{c.name}` | {_TYPES[c.kind]} | {'yes' if c.nullable else 'no'} | {c.doc} |")
        parts.append("")
    return "\n".join(parts)


if __name__ == "__main__":
    print(data_dictionary())

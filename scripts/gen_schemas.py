"""Write the JSON Schemas generated from the code to docs/schemas/<name>.json.

Usage: python scripts/gen_schemas.py [--check]

One file per name of ``salesflow.schemas.names()``: sorted keys, two-space
indent, a trailing newline. A file in docs/schemas/ that no schema has any
more is removed. With --check nothing is written and the exit code says
whether any file has drifted from the code (or is missing, or is stale).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from salesflow import schemas

SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas"


def render(name: str) -> str:
    return json.dumps(schemas.schema(name), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected() -> dict[str, str]:
    """Each file's name and the text it should hold."""
    return {f"{name}.json": render(name) for name in schemas.names()}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    wanted = expected()
    present = {path.name for path in SCHEMAS.glob("*.json")} if SCHEMAS.is_dir() else set()
    drifted = sorted(
        name
        for name, text in wanted.items()
        if name not in present or (SCHEMAS / name).read_text(encoding="utf-8") != text
    )
    stale = sorted(present - set(wanted))
    if not check:
        SCHEMAS.mkdir(parents=True, exist_ok=True)
        for name in drifted:
            (SCHEMAS / name).write_text(wanted[name], encoding="utf-8")
        for name in stale:
            (SCHEMAS / name).unlink()
    verb = "drifted" if check else "regenerated"
    for name in drifted:
        print(f"{verb}: docs/schemas/{name}")
    for name in stale:
        print(f"{'stale' if check else 'removed'}: docs/schemas/{name}")
    return 1 if (check and (drifted or stale)) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

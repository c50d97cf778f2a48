"""How much the bad-input suite tries: ``python tests/fuzz/count.py`` (or ``-m fuzz.count``).

Counts without calling anything: the public callables and their valid calls,
the bad-value classes, the bad calls (one argument replaced at a time, plus an
unknown keyword for verbs that take options), the enum calls, and the
document mutations. The suite makes these calls, plus one valid call after
each refused command on a stateful object (counted only when run).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``fuzz`` and ``salesflow`` importable
    here = Path(__file__).resolve().parent
    sys.path[:0] = [str(here.parent), str(here.parent.parent / "src")]


def figures() -> dict[str, int]:
    from fuzz.badvalues import BAD_VALUES
    from fuzz.documents import DOCUMENTS, mutations
    from fuzz.harness import bad_calls
    from fuzz.registry import REGISTRY, calls
    from fuzz.surface import CALLABLE, CONSTANT, ENUM, public_surface
    from fuzz.test_record_fields import RECORD_CALLS, record_slots

    surface = public_surface()
    callables = [name for name, item in surface.items() if item.kind == CALLABLE]
    enums = [name for name, item in surface.items() if item.kind == ENUM]
    valid = sum(len(calls(name)) for name in callables)
    bad = sum(1 for name in callables for _ in bad_calls(name))
    mutated = sum(1 for spec in DOCUMENTS.values() for _ in mutations(spec.build(), spec.derived))
    fields = sum(
        len(rows[0]) * len(BAD_VALUES)
        for name in RECORD_CALLS
        for call in calls(name)
        for _, rows in record_slots(call)
    )
    return {
        "public callables (each with a valid call)": len(callables),
        "enums": len(enums),
        "constants and type aliases": sum(1 for i in surface.values() if i.kind == CONSTANT),
        "registry entries": len(REGISTRY),
        "valid calls": valid,
        "classes of bad value": len(BAD_VALUES),
        "bad-argument calls": bad,
        "enum calls with bad values": len(enums) * len(BAD_VALUES),
        "document types": len(DOCUMENTS),
        "document mutations": mutated,
        "record-field calls": fields,
        "calls in all": valid + bad + len(enums) * len(BAD_VALUES) + mutated + fields,
    }


def main() -> None:
    for label, number in figures().items():
        print(f"{number:>8}  {label}")


if __name__ == "__main__":
    main()

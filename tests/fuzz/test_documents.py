"""Tampered documents are refused, all of them (issue 10, sections 6 and 7).

Each real document is mutated in every way :func:`fuzz.documents.mutations`
knows (delete each key, add an unknown key, retype each value, swap values,
duplicate a history item, alter a derived field); the reader must refuse each
mutated document with a ``SalesflowError``, never accept it, never raise a
plain Python error and never hang.
"""

from __future__ import annotations

import pytest

from fuzz.documents import DOCUMENTS, Mutation, matches, mutations
from fuzz.harness import guarded
from salesflow import SalesflowError


def _harmless(name: str, mutation: Mutation) -> str | None:
    for (kind, pattern), why in DOCUMENTS[name].harmless.items():
        if mutation.kind.startswith(kind) and matches(pattern, mutation.path):
            return why
    return None


def _other_document(name: str, mutation: Mutation) -> bool:
    """A mutation that gives another real document (see ``Document.other_documents``)."""
    return any(
        mutation.kind == kind and matches(pattern, mutation.path)
        for kind, pattern in DOCUMENTS[name].other_documents
    )


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_real_document_reads_back_to_itself(name: str) -> None:
    spec = DOCUMENTS[name]
    document = spec.build()

    assert spec.write(spec.read(document)) == document


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_mutation_of_the_document_is_refused_with_a_salesflow_error(name: str) -> None:
    spec = DOCUMENTS[name]
    original = spec.build()
    problems = []

    for mutation in mutations(original, spec.derived):
        outcome = guarded(lambda mutation=mutation: spec.read(mutation.document))
        if outcome.hung:
            problems.append(f"{mutation.label}: hangs")
        elif outcome.error is not None and not isinstance(outcome.error, SalesflowError):
            error = outcome.error
            problems.append(f"{mutation.label}: {type(error).__name__}: {str(error)[:120]} escaped")
        elif outcome.error is None:
            if _other_document(name, mutation):
                written = guarded(lambda value=outcome.value: spec.write(value)).value
                if written != mutation.document:
                    problems.append(f"{mutation.label}: accepted, but it reads differently")
            elif _harmless(name, mutation) is None:
                problems.append(f"{mutation.label}: accepted")
            elif guarded(lambda value=outcome.value: spec.write(value)).value != original:
                problems.append(f"{mutation.label}: accepted as harmless, but it reads differently")

    assert not problems, f"{name}:\n  " + "\n  ".join(problems)

"""Mutation testing for salesflow: a seeded sample of mutants of a module, run against its tests.

    python scripts/mutate.py orders/order.py orders/lifecycle.py --sample 40 --seed 10

Each mutant is one small change to the source (an operator, a constant, a dropped keyword,
a deleted statement, an altered error message). It is written over the module file, the
module's tests run in a subprocess (`pytest -x -q`, hypothesis profile `mutation`), and the
original file is always put back. A mutant the tests do not notice is a survivor: printed
with its line and change. See docs/development.md.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "salesflow"
# Test-file prefix per subpackage: orders/order.py -> tests/unit/test_order_*.py.
PREFIX = {"orders": "order", "leads": "lead", "metrics": "metrics", "routing": "routing"}

BINOPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult,
    ast.BitOr: ast.BitAnd, ast.BitAnd: ast.BitOr,
}  # fmt: skip
CMPOPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
    ast.In: ast.NotIn, ast.NotIn: ast.In,
}  # fmt: skip


@dataclass(frozen=True)
class Mutant:
    path: Path
    line: int
    change: str  # what changed, for the report
    span: tuple[int, int, int, int]  # lineno, col, end_lineno, end_col (col in UTF-8 bytes)
    text: str  # the source that replaces the span

    def apply(self, source: str) -> str:
        lines = source.splitlines(keepends=True)
        start, col, end, end_col = self.span
        head = lines[start - 1].encode()[:col].decode()
        tail = lines[end - 1].encode()[end_col:].decode()
        return "".join([*lines[: start - 1], head + self.text + tail, *lines[end:]])


def _is_docstring(node: ast.stmt, parent: ast.AST) -> bool:
    body = getattr(parent, "body", None)
    return (
        isinstance(parent, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and isinstance(body, list)
        and bool(body)
        and body[0] is node
        and isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _replace(node: ast.AST, **fields: object) -> ast.AST:
    new = copy.copy(node)
    for name, value in fields.items():
        setattr(new, name, value)
    return new


def _expression_mutants(node: ast.expr) -> Iterator[tuple[str, ast.AST]]:
    """(description, replacement node) pairs for one expression node."""
    if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
        new_op = BINOPS[type(node.op)]()
        yield f"{type(node.op).__name__} -> {type(new_op).__name__}", _replace(node, op=new_op)
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in CMPOPS:
                ops = list(node.ops)
                ops[i] = CMPOPS[type(op)]()
                yield f"{type(op).__name__} -> {type(ops[i]).__name__}", _replace(node, ops=ops)
    elif isinstance(node, ast.BoolOp):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield f"{type(node.op).__name__} -> {type(other).__name__}", _replace(node, op=other)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
        yield f"drop {type(node.op).__name__}", node.operand
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            yield f"{value} -> {not value}", ast.Constant(not value)
        elif isinstance(value, int | float):
            yield f"{value!r} -> {value + 1!r}", ast.Constant(value + 1)
        elif isinstance(value, str):
            yield f"string {value[:30]!r} altered", ast.Constant(f"XX{value}XX")
    elif isinstance(node, ast.JoinedStr):
        yield "f-string altered", _replace(node, values=[ast.Constant("XX"), *node.values])
    elif isinstance(node, ast.Call):
        for i, keyword in enumerate(node.keywords):
            if keyword.arg is not None:
                kept = node.keywords[:i] + node.keywords[i + 1 :]
                yield f"drop keyword {keyword.arg}=", _replace(node, keywords=kept)


def _statement_mutants(node: ast.stmt, parent: ast.AST) -> Iterator[tuple[str, str]]:
    """(description, replacement source) pairs for one statement inside a function."""
    value = node.value if isinstance(node, ast.Return) else None
    if value is not None and not (isinstance(value, ast.Constant) and value.value is None):
        yield "return None", "return None"
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.Raise):
        yield f"delete {type(node).__name__}", "pass"
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        yield "delete call", "pass"
    elif isinstance(node, ast.If) and any(isinstance(s, ast.Raise) for s in node.body):
        yield "delete raise-guard if", "pass"


def _annotations(tree: ast.AST) -> set[int]:
    """Annotations are never evaluated (``from __future__ import annotations``): no mutants."""
    found: list[ast.AST | None] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append(node.returns)
        elif isinstance(node, ast.arg | ast.AnnAssign):
            found.append(node.annotation)
    return {id(n) for n in found if n is not None}


def mutants_of(path: Path) -> list[Mutant]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = source.splitlines()
    skipped = _annotations(tree)
    found: list[Mutant] = []

    def add(node: ast.expr | ast.stmt, change: str, text: str) -> None:
        if "pragma: no cover" in lines[node.lineno - 1]:
            return  # unreachable by design: a mutant there cannot be detected
        end_line, end_col = node.end_lineno or node.lineno, node.end_col_offset or 0
        span = (node.lineno, node.col_offset, end_line, end_col)
        found.append(Mutant(path, node.lineno, change, span, text))

    def visit(node: ast.AST, parent: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.stmt) and _is_docstring(node, parent):
            return
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return
        if isinstance(node, ast.stmt) and in_function:
            for change, text in _statement_mutants(node, parent):
                add(node, change, text)
        if isinstance(node, ast.expr):
            for change, new in _expression_mutants(node):
                text = ast.unparse(new)
                if text != ast.unparse(node):
                    add(node, change, f"({text})" if isinstance(new, ast.expr) else text)
            if isinstance(node, ast.JoinedStr):
                return  # its parts are not expressions of their own
        inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for child in ast.iter_child_nodes(node):
            if id(child) not in skipped:
                visit(child, node, inner)

    visit(tree, tree, False)
    return found


def default_tests(modules: list[Path]) -> list[str]:
    paths: list[str] = []
    for module in modules:
        relative = module.relative_to(PACKAGE)
        package, stem = relative.parts[0], module.stem
        prefix = PREFIX.get(package, package)
        if stem == prefix:  # the aggregate itself: all its unit tests and its state machine
            paths += sorted(str(p) for p in ROOT.glob(f"tests/unit/test_{prefix}_*.py"))
            paths += sorted(str(p) for p in ROOT.glob(f"tests/stateful/test_{prefix}_machine.py"))
        else:
            paths += sorted(str(p) for p in ROOT.glob(f"tests/unit/test_{prefix}_{stem}*.py"))
        paths.append(str(module))
        if (ROOT / "docs" / f"{package}.md").exists():
            paths.append(str(ROOT / "docs" / f"{package}.md"))
    return [str(Path(p).relative_to(ROOT)) for p in dict.fromkeys(paths)]


def run_tests(tests: list[str], timeout: float) -> tuple[bool, float]:
    """Whether the tests passed, and how long they took; a timeout counts as a failure."""
    env = dict(os.environ, PYTHONPATH="src", PYTHONDONTWRITEBYTECODE="1")
    env["SALESFLOW_HYPOTHESIS_PROFILE"] = "mutation"
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", *tests]
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, time.monotonic() - started
    return done.returncode == 0, time.monotonic() - started


def refuse_if_modified(modules: list[Path]) -> None:
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", *map(str, modules)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if status.strip():
        sys.exit(f"refusing to start: these modules have uncommitted changes:\n{status}")


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM restores the module too: turn it into the exception the `finally` sees."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="+", help="paths under src/salesflow, e.g. leads/lead.py")
    parser.add_argument("--sample", type=int, default=40, help="mutants to run (default 40)")
    parser.add_argument("--seed", type=int, default=10, help="seed of the sample (default 10)")
    parser.add_argument("--tests", nargs="+", help="test paths instead of the default mapping")
    parser.add_argument("--list", action="store_true", help="list the sampled mutants only")
    args = parser.parse_args(argv)

    modules = [(PACKAGE / m).resolve() for m in args.modules]
    for module in modules:
        if not module.is_file():
            parser.error(f"no such module: {module}")
    everything = [m for module in modules for m in mutants_of(module)]
    sample = random.Random(args.seed).sample(everything, min(args.sample, len(everything)))
    sample.sort(key=lambda m: (str(m.path), m.line))
    tests = args.tests or default_tests(modules)
    print(f"{len(everything)} mutants in {', '.join(args.modules)}; sample {len(sample)}, "
          f"seed {args.seed}")  # fmt: skip
    print("tests:", " ".join(tests))
    if args.list:
        for m in sample:
            print(f"  {m.path.relative_to(PACKAGE)}:{m.line}: {m.change}")
        return 0

    refuse_if_modified(modules)
    passed, baseline = run_tests(tests, timeout=3600)
    if not passed:
        sys.exit("the tests fail on the unmutated code: fix that first")
    timeout = max(60.0, 5 * baseline)
    signal.signal(signal.SIGTERM, _interrupt)
    originals = {m: m.read_text(encoding="utf-8") for m in modules}
    survivors: list[Mutant] = []
    try:
        for number, mutant in enumerate(sample, 1):
            mutant.path.write_text(mutant.apply(originals[mutant.path]), encoding="utf-8")
            try:
                passed, took = run_tests(tests, timeout)
            finally:
                mutant.path.write_text(originals[mutant.path], encoding="utf-8")
            where = f"{mutant.path.relative_to(PACKAGE)}:{mutant.line}"
            verdict = "SURVIVED" if passed else "killed"
            print(f"[{number}/{len(sample)}] {verdict:8} {where}: {mutant.change} ({took:.0f}s)",
                  flush=True)  # fmt: skip
            if passed:
                survivors.append(mutant)
    finally:
        for module, text in originals.items():
            module.write_text(text, encoding="utf-8")
    print("\nsurvivors:" if survivors else "\nno survivors")
    for m in survivors:
        print(f"  {m.path.relative_to(PACKAGE)}:{m.line}: {m.change}  ->  {m.text[:100]!r}")
    killed_count = len(sample) - len(survivors)
    score = 100 * killed_count / len(sample) if sample else 100.0
    print(f"score: {killed_count}/{len(sample)} killed ({score:.0f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

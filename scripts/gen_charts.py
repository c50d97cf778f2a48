"""Regenerate the charts in docs/charts/ from the code: Vega-Lite specs and their SVGs.

Usage: python scripts/gen_charts.py [--check] [--force]

Each chart of CHARTS is built from the small fixed example shop below by the
call a user would make (``cohort_retention(...).to_vega_lite()`` and so on);
the prediction charts from the CDNOW cohort of the tests (P(alive)) and a
seeded simulated shop (the holdout check, whose subtitle says so, and the RFM
map), with the fitted parameters and plotted floats to 4 significant figures
so that the specs do not depend on the numpy/scipy version.
Its spec is written to docs/charts/NAME.vl.json and rendered to
docs/charts/NAME.svg with vl-convert (``pip install -e '.[docs]'``);
docs/charts/MANIFEST.json records the sha256 of the spec each SVG was rendered
from. Only a chart whose spec changed, or whose SVG is missing, is rendered
again (all of them with --force): SVG output varies with the vl-convert
version, so an unchanged chart is left as it is.

With --check nothing is written or rendered, and vl-convert is not needed:
the exit code says whether a committed spec differs from what the code builds
now, or an SVG was rendered from another spec than the current one.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from random import Random
from typing import Any

import attrs

from salesflow import Money
from salesflow.leads import Lead, LeadSource
from salesflow.leads.events import LostReason
from salesflow.metrics import cohort_retention, monthly_revenue, time_in_lead_stages
from salesflow.metrics.funnel import DEFAULT_FUNNEL_STEPS, funnel
from salesflow.metrics.orders import time_in_status
from salesflow.orders import Customer, Order, OrderLine, ProcessingStep, SupportContact
from salesflow.predict import calibration_holdout, fit, rfm
from salesflow.predict.inputs import ModelInput

ROOT = Path(__file__).resolve().parent.parent
CHARTS_DIR = ROOT / "docs" / "charts"
CDNOW = ROOT / "tests" / "data" / "cdnow_summary.csv"
MANIFEST = "MANIFEST.json"

# -- the example shop: a small online shop's first half-year, in Berlin -----------------------

ZONE = "Europe/Berlin"
NOW = datetime(2026, 6, 30, 18, 0, tzinfo=UTC)  # the evening of 30 June in Berlin

# Per first-purchase month: the cohort's size, then how many of it ordered again
# in each later month up to June.
COHORTS: dict[tuple[int, int], tuple[int, ...]] = {
    (2026, 1): (14, 6, 5, 4, 4, 3),
    (2026, 2): (11, 5, 4, 3, 3),
    (2026, 3): (16, 7, 6, 5),
    (2026, 4): (12, 5, 4),
    (2026, 5): (15, 6),
    (2026, 6): (13,),
}
BASKETS = ("24.90", "39.00", "54.50", "18.00", "72.40", "31.25", "45.80")


def order_records() -> list[dict[str, Any]]:
    """The shop's orders as plain records: every customer's first order, then the returns."""
    records: list[dict[str, Any]] = []
    for (year, month), active in COHORTS.items():
        size = active[0]
        for offset, count in enumerate(active):
            shown_year, shown_month = divmod(year * 12 + month - 1 + offset, 12)
            # the loyal customers come back most, so rotate slowly through the cohort
            for n in range(count):
                customer = (n + offset // 2) % size
                placed = datetime(
                    shown_year,
                    shown_month + 1,
                    1 + (customer * 7 + offset * 5) % 27,
                    8 + customer % 10,
                    (customer * 13) % 60,
                    tzinfo=UTC,
                )
                records.append(
                    {
                        "order_id": f"SO-{1001 + len(records)}",
                        "customer_id": f"C-{year % 100}{month:02}-{customer + 1:02}",
                        "placed_at": placed,
                        "amount": Decimal(BASKETS[(customer + offset) % len(BASKETS)]),
                        "currency": "EUR",
                    }
                )
    return records


# People reaching each step of the default web funnel in June, within 30 days.
FUNNEL_REACHED = (480, 296, 131, 77, 62, 54)
FUNNEL_START = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)


def funnel_events() -> list[dict[str, Any]]:
    """One event per step a person reached, four minutes apart."""
    events = []
    for person in range(FUNNEL_REACHED[0]):
        entered = FUNNEL_START + timedelta(minutes=83 * person)
        for position, step in enumerate(DEFAULT_FUNNEL_STEPS):
            if person < FUNNEL_REACHED[position]:
                at = entered + timedelta(minutes=4 * position)
                events.append({"person_id": f"V-{person + 1:04}", "step": step, "at": at})
    return events


# Orders placed in the last week of June, each a list of (verb, hours after the
# previous change); the last one is still in transit at NOW.
ORDER_STARTS = datetime(2026, 6, 22, 8, 0, tzinfo=UTC)
ORDER_JOURNEYS: tuple[tuple[tuple[str, float], ...], ...] = (
    (("process", 1), ("pick", 5), ("pack", 2), ("ship", 16), ("transit", 6), ("deliver", 40)),
    (("process", 3), ("pick", 9), ("pack", 3), ("ship", 20), ("transit", 10), ("deliver", 50)),
    (("process", 0.5), ("pick", 4), ("pack", 1), ("ship", 5), ("transit", 4), ("deliver", 30)),
    (("process", 6), ("delay", 2), ("resume", 46), ("pick", 6), ("pack", 2), ("ship", 18),
     ("transit", 8), ("deliver", 36)),
    (("process", 2), ("pick", 7), ("pack", 4), ("ship", 12), ("transit", 6), ("delay", 20),
     ("resume", 30), ("deliver", 22)),
    (("process", 1.5), ("pick", 3), ("pack", 2), ("ship", 22), ("transit", 5), ("deliver", 44)),
    (("process", 4), ("cancel", 2)),
    (("process", 2), ("pick", 6), ("pack", 1), ("ship", 14), ("transit", 9), ("deliver", 28)),
    (("process", 1), ("pick", 4), ("pack", 3), ("ship", 10), ("transit", 12)),
)  # fmt: skip


def _order_step(order: Order, verb: str, at: datetime) -> Order:
    eta = at.date() + timedelta(days=3)
    steps: dict[str, Callable[[], Any]] = {
        "process": lambda: order.process(step=ProcessingStep.STOCK_CHECK, at=at),
        "pick": lambda: order.pick(at=at),
        "pack": lambda: order.pack(at=at),
        "ship": lambda: order.ship(carrier="DHL", tracking_number=f"JD{order.number}", at=at),
        "transit": lambda: order.transit(location="Leipzig hub", at=at),
        "deliver": lambda: order.deliver(at=at),
        "delay": lambda: order.delay(reason="supplier late", estimated_delivery=eta, at=at),
        "resume": lambda: order.resume(at=at),
        "cancel": lambda: order.cancel(reason="ordered twice", at=at),
    }
    return steps[verb]().order  # type: ignore[no-any-return]


def orders() -> list[Order]:
    """The week's orders, driven through their lifecycle."""
    result = []
    for n, journey in enumerate(ORDER_JOURNEYS):
        at = ORDER_STARTS + timedelta(hours=5 * n)
        order = Order.place(
            number=f"SO-{2001 + n}",
            customer=Customer(f"C-{n + 1:02}", f"Customer {n + 1}"),
            lines=[OrderLine("MUG-1", "Mug", 2, Money("8.00", "EUR"))],
            estimated_delivery=at.date() + timedelta(days=4),
            support=SupportContact(email="help@shop.example"),
            at=at,
        ).order
        for verb, hours in journey:
            at += timedelta(hours=hours)
            order = _order_step(order, verb, at)
        result.append(order)
    return result


# Leads created from March on, each the days it spent in awareness, interest,
# consideration and decision (fewer while it was lost or is still open), then
# how it ended: won (and bought again a month later), lost, or still open at NOW.
LEAD_STARTS = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEAD_JOURNEYS: tuple[tuple[tuple[int, ...], str], ...] = (
    ((3, 6, 9, 4), "won"),
    ((2, 8, 14, 6), "won"),
    ((5, 4, 7, 3), "won"),
    ((1, 12, 20, 9), "lost"),
    ((4, 7), "lost"),
    ((2, 5, 11, 5), "won"),
    ((6, 9, 16), "lost"),
    ((3, 6, 8, 2), "won"),
    ((2, 10, 18, 7), "won"),
    ((4, 3, 12), "open"),
    ((1, 8), "open"),
)


def leads() -> list[Lead]:
    """The leads, moved stage by stage."""
    result = []
    for n, (stays, end) in enumerate(LEAD_JOURNEYS):
        at = LEAD_STARTS + timedelta(days=6 * n)
        lead = Lead.create(lead_id=f"L-{n + 1:03}", source=LeadSource.INBOUND, at=at).lead
        for position, stay in enumerate(stays):
            at += timedelta(days=stay)
            last = position == len(stays) - 1
            if last and end == "won":
                lead = lead.win(at=at).lead
                lead = lead.repeat_purchase(at=at + timedelta(days=30)).lead
            elif last and end == "lost":
                lead = lead.lose(reason=LostReason.BUDGET, at=at).lead
            else:
                lead = lead.advance(at=at).lead
        result.append(lead)
    return result


# -- the predictions: CDNOW, and a seeded simulated shop -----------------------------------------
#
# A fitted model's figures can differ in their last digits between numpy/scipy versions
# and CPUs; so that the committed specs do not, the fitted parameters are taken to 4
# significant figures (as a report would quote them) and the floats a chart plots too.

FIGURES = 4
SIMULATED_START = datetime(2025, 1, 6, tzinfo=UTC)
SIMULATED_CUT = SIMULATED_START + timedelta(weeks=39)
SIMULATED_END = SIMULATED_START + timedelta(weeks=78)


def _figures(value: float) -> float:
    return float(f"{value:.{FIGURES}g}")


def _quoted(model: Any) -> Any:
    """A fitted purchase model with its four parameters to FIGURES significant figures."""
    names = [field.name for field in attrs.fields(type(model))][:4]
    return attrs.evolve(model, **{name: _figures(getattr(model, name)) for name in names})


def _plotted(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with every float of its data rows to FIGURES significant figures."""
    rows = [
        {key: _figures(v) if isinstance(v, float) else v for key, v in row.items()}
        for row in spec["data"]["values"]
    ]
    return {**spec, "data": {"values": rows}}


def cdnow() -> ModelInput:
    """The CDNOW cohort of the tests (tests/data/README.md): 2,357 customers, 39 weeks."""
    with CDNOW.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return ModelInput(
        frequency=[int(row["x"]) for row in rows],
        first_to_last=[float(row["t_x"]) for row in rows],
        first_to_end=[float(row["T"]) for row in rows],
        unit="weeks",
    )


def simulated_orders() -> list[dict[str, Any]]:
    """2,000 customers of a seeded BG/NBD world over 78 weeks (first purchases in weeks 0-12).

    Each buys at a gamma-distributed weekly rate, may leave after each purchase
    (a beta-distributed chance) and spends around their own mean.
    """
    rng, orders = Random(2005), []
    for n in range(2000):
        rate, drop = rng.gammavariate(0.5, 1 / 4), rng.betavariate(1, 3)
        mean, day = rng.gammavariate(3, 12), rng.uniform(0, 84)
        while day < 7 * 78:
            amount = Decimal(f"{rng.gammavariate(6, mean / 6) + 2:.2f}")
            placed = SIMULATED_START + timedelta(days=day)
            orders.append({"customer_id": f"S-{n + 1:04}", "placed_at": placed, "amount": amount})
            if rng.random() < drop:
                break
            day += rng.expovariate(rate) * 7
    return orders


def holdout_check() -> dict[str, Any]:
    """BG/NBD fitted on the simulated shop's first 39 weeks, checked on the next 39."""
    split = calibration_holdout(
        simulated_orders(),
        calibration_end=SIMULATED_CUT,
        holdout_end=SIMULATED_END,
        unit="weeks",
    )
    model = _quoted(fit(split.calibration, model="bgnbd"))
    spec = _plotted(split.compare(model, groups=7).to_vega_lite())
    note = "simulated orders from a seeded BG/NBD world (CDNOW's published summary has no holdout)"
    spec["title"] = {**spec["title"], "subtitle": [spec["title"]["subtitle"], note]}
    spec["description"] = "BG/NBD fitted on 39 weeks of " + note
    return spec


def alive_matrix() -> dict[str, Any]:
    """BG/NBD fitted on CDNOW: P(alive) of a customer 38.86 weeks old, as lifetimes draws it."""
    model = _quoted(fit(cdnow(), model="bgnbd"))
    return _plotted(model.alive_matrix(first_to_end=38.86, max_frequency=29).to_vega_lite())


def rfm_segments() -> dict[str, Any]:
    """The simulated shop's customers scored at the end of its 78 weeks."""
    return rfm(simulated_orders(), now=SIMULATED_END).to_vega_lite()


CHARTS: dict[str, Callable[[], dict[str, Any]]] = {
    "cohort_retention": lambda: cohort_retention(
        order_records(), zone=ZONE, now=NOW
    ).to_vega_lite(),
    "funnel": lambda: funnel(funnel_events(), window=timedelta(days=30)).to_vega_lite(),
    "time_in_status": lambda: time_in_status(orders(), now=NOW).to_vega_lite(),
    "time_in_lead_stages": lambda: time_in_lead_stages(leads(), now=NOW).to_vega_lite(),
    "monthly_revenue": lambda: monthly_revenue(order_records(), zone=ZONE).to_vega_lite(),
    "holdout_check": holdout_check,
    "alive_matrix": alive_matrix,
    "rfm_segments": rfm_segments,
}

# -- specs, hashes and the check ---------------------------------------------------------------


def spec_text(spec: dict[str, Any]) -> str:
    """A spec as it is committed: sorted keys, indent 2, a trailing newline."""
    return json.dumps(spec, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def specs() -> dict[str, str]:
    """Each chart's spec text, built now."""
    return {name: spec_text(build()) for name, build in CHARTS.items()}


def _read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.exists():
        return {}
    manifest = json.loads(path.read_text(encoding="utf-8"))
    return manifest if isinstance(manifest, dict) else {}


def drifted(directory: Path = CHARTS_DIR) -> list[str]:
    """What in ``directory`` no longer matches the code, one line per file, naming it."""
    where = f"docs/{directory.name}"
    manifest = _read_manifest(directory)
    problems = []
    for name, text in specs().items():
        spec_path, svg = directory / f"{name}.vl.json", f"{name}.svg"
        if not spec_path.exists():
            problems.append(f"{where}/{spec_path.name}: missing")
        elif spec_path.read_text(encoding="utf-8") != text:
            problems.append(f"{where}/{spec_path.name}: differs from the spec the code builds")
        if not (directory / svg).exists():
            problems.append(f"{where}/{svg}: missing")
        elif manifest.get(svg, {}).get("spec_sha256") != digest(text):
            problems.append(f"{where}/{svg}: rendered from another spec than the current one")
    expected = {MANIFEST} | {f"{n}{ext}" for n in CHARTS for ext in (".vl.json", ".svg")}
    for path in sorted(directory.iterdir()) if directory.exists() else []:
        if path.name not in expected:
            problems.append(f"{where}/{path.name}: not a chart of scripts/gen_charts.py")
    return problems


# -- rendering (needs vl-convert) --------------------------------------------------------------


def _vega_lite_version(bundled: list[str]) -> str:
    """The newest Vega-Lite 5 that vl-convert bundles (the specs say v5)."""
    fives = [v for v in bundled if v.startswith("5.")]
    return max(fives, key=lambda v: tuple(int(part) for part in v.split(".")))


def render(text: str) -> tuple[str, str]:
    """The SVG of a spec, and what rendered it."""
    import vl_convert  # the docs extra, needed only to render

    version = _vega_lite_version(vl_convert.get_vegalite_versions())
    svg: str = vl_convert.vegalite_to_svg(json.loads(text), vl_version=version)
    renderer = f"vl-convert {metadata.version('vl-convert-python')}, Vega-Lite {version}"
    return svg, renderer


def _write(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already holds it; whether it was written."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def regenerate(directory: Path = CHARTS_DIR, *, force: bool = False) -> list[str]:
    """Write every spec and render the stale SVGs; what changed, one line per file.

    A ``.vl.json`` or ``.svg`` of a chart no longer in CHARTS is removed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(directory)
    changed = []
    for name, text in specs().items():
        spec_path, svg_path = directory / f"{name}.vl.json", directory / f"{name}.svg"
        if _write(spec_path, text):
            changed.append(f"regenerated: {spec_path.name}")
        entry = manifest.get(svg_path.name, {})
        if force or not svg_path.exists() or entry.get("spec_sha256") != digest(text):
            svg, renderer = render(text)
            manifest[svg_path.name] = {"rendered_with": renderer, "spec_sha256": digest(text)}
            if _write(svg_path, svg if svg.endswith("\n") else svg + "\n"):
                changed.append(f"rendered: {svg_path.name}")
    kept = {f"{name}{ext}" for name in CHARTS for ext in (".vl.json", ".svg")}
    for path in sorted([*directory.glob("*.vl.json"), *directory.glob("*.svg")]):
        if path.name not in kept:
            path.unlink()
            changed.append(f"removed: {path.name}")
    manifest = {svg: manifest[svg] for svg in sorted(f"{name}.svg" for name in CHARTS)}
    if _write(directory / MANIFEST, json.dumps(manifest, sort_keys=True, indent=2) + "\n"):
        changed.append(f"regenerated: {MANIFEST}")
    return changed


def main(argv: list[str]) -> int:
    unknown = [arg for arg in argv if arg not in ("--check", "--force")]
    if unknown:
        print(f"unknown arguments: {' '.join(unknown)}\n{__doc__}", file=sys.stderr)
        return 2
    if "--check" in argv:
        problems = drifted()
        for problem in problems:
            print(f"drifted: {problem}")
        if problems:
            print("run: python scripts/gen_charts.py (needs pip install -e '.[docs]')")
        return 1 if problems else 0
    try:
        changes = regenerate(force="--force" in argv)
    except ModuleNotFoundError as error:
        if error.name != "vl_convert":
            raise
        print("rendering needs vl-convert: pip install -e '.[docs]'", file=sys.stderr)
        return 2
    for change in changes:
        verb, name = change.split(": ")
        print(f"{verb}: docs/charts/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

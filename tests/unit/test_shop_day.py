"""The shop-day example: reproducible, complete, and a proper command line.

The script lives in examples/, outside the package; it is loaded from its file
and its ``main`` run in-process with a small day, so each run takes well
under a second.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import io
import itertools
import re
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from salesflow.leads import Lead
from salesflow.orders import Order, OrderStatus
from salesflow.routing import SalesModel, recommend_model

ROOT = Path(__file__).resolve().parents[2]
SMALL = ("--leads", "300", "--no-progress")
SECTIONS = (
    "Sales model",
    "Team",
    "Leads and the funnel",
    "Routing: handoffs and response deadlines",
    "Load per person",
    "Orders: cancellations and delays",
    "Notifications",
    "Customers: retention and churn",
    "Order value and customer lifetime value",
    "Per-manager KPIs",
)


@pytest.fixture(scope="module")
def shop_day() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shop_day", ROOT / "examples" / "shop_day.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def run(shop_day: ModuleType, *args: str) -> tuple[str, str]:
    """The script's stdout and stderr for ``args``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = shop_day.main(list(args))
    assert code == 0
    return out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def report(shop_day: ModuleType) -> str:
    return run(shop_day, *SMALL, "--seed", "3")[0]


def number(report: str, pattern: str) -> int:
    """The whole number ``pattern``'s group captures in the report, its folded lines joined."""
    found = re.search(pattern, " ".join(report.split()))
    assert found is not None, pattern
    return int(found.group(1).replace(",", ""))


def counts(report: str, pattern: str) -> Counter[str]:
    """The ``name n, name n`` list ``pattern``'s group captures in the report."""
    found = re.search(pattern, " ".join(report.split()))
    assert found is not None, pattern
    pairs = (item.rsplit(" ", 1) for item in found.group(1).split(", "))
    return Counter({name: int(n.replace(",", "")) for name, n in pairs})


@pytest.fixture(scope="module")
def day(shop_day: ModuleType):
    customers, _ = shop_day.shop_history(3, 1200)
    prospects = shop_day.draw_prospects(3, 300, customers)
    return shop_day.ShopDay(SalesModel.THREE_TIER, prospects, 3).run()


def test_the_same_seed_and_flags_print_the_same_report_byte_for_byte(shop_day, report):
    again, _ = run(shop_day, *SMALL, "--seed", "3")

    assert again == report
    assert len(report.splitlines()) > 100


def test_a_different_seed_prints_a_different_report(shop_day, report):
    other, _ = run(shop_day, *SMALL, "--seed", "4")

    assert other != report


def test_progress_goes_to_stderr_and_leaves_stdout_unchanged(shop_day, report):
    out, err = run(shop_day, "--leads", "300", "--seed", "3")

    assert out == report
    assert "100% of the leads settled (300/300)" in err


def test_the_report_has_every_section_a_sales_director_reads(report):
    lines = report.splitlines()

    missing = [
        title
        for title in SECTIONS
        if not any(a == title and b == "-" * len(title) for a, b in itertools.pairwise(lines))
    ]

    assert missing == []
    assert "Funnel (strict order, no window)" in report
    assert "Manager KPIs (all time, amounts in EUR" in report
    assert "Cohort retention" in report


def test_the_default_model_is_the_one_the_recommender_picks_and_the_report_says_why(
    shop_day, report
):
    customers, history = shop_day.shop_history(3, 1200)
    prospects = shop_day.draw_prospects(3, 300, customers)

    advice = recommend_model(shop_day.business_profile(prospects, history))

    words = " ".join(report.split())  # long lines are folded at 100 characters
    assert f"{advice.model.value}: what recommend_model picks for this shop" in words
    assert all(reason in words for reason in advice.reasons)


def test_a_model_chosen_on_the_command_line_is_the_one_simulated(shop_day):
    out, _ = run(shop_day, *SMALL, "--seed", "3", "--model", "one_tier")

    assert "one_tier: chosen with --model" in out
    assert "qualifier" not in out.split("Load per person")[1].split("Orders:")[0]


def test_every_one_of_the_nine_order_statuses_appears_in_the_day(day):
    placed = {OrderStatus.RECEIVED} if day.orders else set()
    reached = placed | {event.to_status for order in day.orders for event in order.history[1:]}

    assert reached == set(OrderStatus)
    assert set(day.notices) == {status.value for status in OrderStatus}


def test_every_order_change_sends_exactly_one_notification(day):
    changes = sum(len(order.history) for order in day.orders)

    assert sum(day.notices.values()) == changes


def test_the_day_leaves_aggregates_that_replay_to_themselves(day):
    assert all(Lead.replay(lead.history) == lead for lead in day.leads)
    assert all(Order.from_dict(order.to_dict()) == order for order in day.orders)


def test_every_lead_of_the_day_is_worked_and_settles_within_the_run(day):
    stages = Counter(lead.stage.value for lead in day.leads)

    assert len(day.leads) == 300
    assert sum(stages.values()) == 300
    assert stages["customer"] + stages["retained"] > 0
    assert stages["lost"] > 0


def test_compare_prints_one_row_per_model(shop_day):
    out, _ = run(shop_day, "--compare", *SMALL, "--seed", "3")

    rows = [line for line in out.splitlines() if line.split(" ")[0] in set(SalesModel)]

    assert [row.split(" ")[0] for row in rows] == [model.value for model in SalesModel]
    assert sum(row.split(" ")[1] == "*" for row in rows) == 1
    assert all(column in out for column in ("handoffs", "missed", "conversion"))


@pytest.mark.parametrize(("leads", "seed"), [(1, 7), (2, 1), (3, 6)])
def test_a_day_of_a_handful_of_leads_still_reports_every_section(shop_day, leads, seed):
    out, _ = run(shop_day, "--leads", str(leads), "--seed", str(seed), "--no-progress")

    assert all(f"\n{title}\n" in out for title in SECTIONS)


@pytest.mark.parametrize(
    "argv",
    [
        ["--model", "four_tier"],
        ["--leads", "many"],
        ["--leads", "0"],
        ["--seed", "-1"],
        ["--bogus"],
    ],
)
def test_a_bad_flag_exits_with_an_argparse_error(shop_day, argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        shop_day.main(argv)

    assert exit_info.value.code == 2
    assert "usage: shop_day.py" in capsys.readouterr().err


def test_help_describes_every_flag(shop_day, capsys):
    with pytest.raises(SystemExit) as exit_info:
        shop_day.main(["--help"])

    text = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert all(
        flag in text for flag in ("--model", "--seed", "--leads", "--compare", "--no-progress")
    )


def test_the_leads_won_lost_and_still_open_add_up_to_the_leads_that_arrived(report):
    arrived = number(report, r"([\d,]+) leads arrived")
    won = number(report, r"Now: ([\d,]+) customers")
    lost = number(report, r"customers \(.*?\), ([\d,]+) lost")
    still_open = number(report, r"([\d,]+) still open")
    lost_by_reason = counts(report, r"Lost, by reason: (.*?) \(not_target")

    assert won + lost + still_open == arrived
    assert sum(lost_by_reason.values()) == lost
    assert number(report, r"action +([\d,]+) ") == won
    assert number(report, r"retention +([\d,]+) ") == number(report, r"\(([\d,]+) bought again\)")


def test_the_orders_by_final_status_add_up_to_the_orders_placed(report):
    placed = number(report, r"([\d,]+) orders placed")
    final = counts(report, r"orders placed; now (.*?) Orders that passed")
    kept = number(report, r"AOV of the orders of the day's leads: .*? over the ([\d,]+) orders")

    assert sum(final.values()) == placed
    assert kept == placed - final["cancelled"]


def test_the_notifications_of_each_kind_are_the_status_changes_into_that_status(day):
    changes = Counter(event.to_status.value for order in day.orders for event in order.history)

    assert day.notices == changes


def test_every_handoff_ends_accepted_rejected_or_expired(report):
    submitted = number(report, r"Handoffs: ([\d,]+) submitted")
    accepted = number(report, r"([\d,]+) accepted")
    rejected = number(report, r"([\d,]+) rejected back")
    expired = number(report, r"([\d,]+) expired")
    routes = re.findall(r"^  \w+ -> \w+: ([\d,]+)$", report, flags=re.MULTILINE)

    assert accepted + rejected + expired == submitted
    assert sum(int(n.replace(",", "")) for n in routes) == submitted


def test_the_load_table_counts_every_assignment_and_every_missed_deadline(day):
    load = day.load()
    first_answers_missed = day.routing.breaches - day.routing.expired

    assigned = sum(n for _, n, *_ in load)
    missed = sum(person_missed for *_, person_missed in load)

    assert assigned == len(day.leads) + day.routing.submitted + first_answers_missed
    assert missed == day.routing.breaches
    assert day.routing.reassigned + day.routing.escalated == day.routing.breaches
    assert all(still_open == 0 for *_, still_open, _ in load)


def test_the_profile_share_not_ready_or_not_target_is_of_the_inbound_leads(shop_day):
    customers, history = shop_day.shop_history(3, 1200)
    drawn = shop_day.draw_prospects(3, 300, customers)
    prospects = [  # every outbound lead not target: the inbound share must not move
        p if p.source.value == "inbound" else dataclasses.replace(p, target=False) for p in drawn
    ]
    inbound = [p for p in prospects if p.source.value == "inbound"]
    unready = sum(not (p.target and p.ready) for p in inbound)

    profile = shop_day.business_profile(prospects, history)

    assert profile.monthly_inbound_leads == len(inbound) * shop_day.WORKING_DAYS_A_MONTH
    assert abs(profile.share_not_ready_or_not_target - Decimal(unready) / len(inbound)) <= Decimal(
        "0.005"
    )


def test_the_comparison_table_in_the_readme_is_what_the_script_prints(shop_day):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## The four sales models on the same day.*?```text\n(.*?)```", readme, re.S)

    out, _ = run(shop_day, "--compare", "--no-progress")

    assert block is not None
    assert block.group(1) == out, "update README.md from: examples/shop_day.py --compare"

"""The order lifecycle's guards are named for what they check, so the generated diagram
reads as the design does (a delay's exits depend on the status it interrupted)."""

from __future__ import annotations

from salesflow.orders.lifecycle import OrderLifecycle


def test_every_guarded_transition_is_labelled_with_its_guard_in_the_diagram():
    diagram = f"{OrderLifecycle:mermaid}"
    guarded = [line.strip() for line in diagram.splitlines() if " : " in line and "[" in line]

    assert guarded == [
        "delayed --> delivered : Deliver [interrupted on the road]",
        "delayed --> cancelled : Cancel [interrupted before shipping]",
        "delayed --> processing : Resume [interrupted processing]",
        "delayed --> picking : Resume [interrupted picking]",
        "delayed --> packed : Resume [interrupted packed]",
        "delayed --> shipped : Resume [interrupted shipped]",
        "delayed --> in_transit : Resume [interrupted in_transit]",
    ]

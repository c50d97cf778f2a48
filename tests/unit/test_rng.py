"""The seeded generator: the published xoshiro256** and splitmix64 streams, reproducible,
independent forks, and helpers that are roughly uniform and exact where they promise it."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesflow import InvalidField, InvalidType
from salesflow._rng import Rng, splitmix64

seeds = st.integers(min_value=0, max_value=2**70)


def test_xoshiro256_starstar_matches_the_published_reference_vector():
    rng = Rng.from_state((1, 2, 3, 4))

    outputs = [rng.next64() for _ in range(10)]

    # Blackman and Vigna's reference implementation, state {1, 2, 3, 4}.
    assert outputs == [
        11520,
        0,
        1509978240,
        1215971899390074240,
        1216172134540287360,
        607988272756665600,
        16172922978634559625,
        8476171486693032832,
        10595114339597558777,
        2904607092377533576,
    ]


def test_splitmix64_matches_its_published_outputs_from_zero():
    state, outputs = 0, []

    for _ in range(3):
        state, output = splitmix64(state)
        outputs.append(output)

    assert outputs == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


def test_a_seed_fills_the_state_through_splitmix64_as_rand_xoshiro_seed_from_u64_does():
    rng = Rng(42)

    outputs = [rng.next64() for _ in range(3)]

    assert outputs == [1546998764402558742, 6990951692964543102, 12544586762248559009]


@given(seeds)
def test_the_same_seed_gives_the_same_stream(seed):
    first, second = Rng(seed), Rng(seed)

    assert [first.next64() for _ in range(8)] == [second.next64() for _ in range(8)]
    assert first.state == second.state


@given(seeds, seeds)
def test_different_seeds_give_different_streams(a, b):
    if a == b:
        return

    assert [Rng(a).next64() for _ in range(4)] != [Rng(b).next64() for _ in range(4)]


def test_a_seed_wider_than_64_bits_is_folded_not_truncated():
    assert Rng(2**64 + 5).next64() != Rng(5).next64()


@given(seeds, st.integers(min_value=1, max_value=2**130))
def test_below_stays_in_range(seed, n):
    rng = Rng(seed)

    assert all(0 <= rng.below(n) < n for _ in range(5))


def test_below_is_roughly_uniform():
    rng = Rng(2026)
    draws = 50_000

    counts = Counter(rng.below(10) for _ in range(draws))

    expected = draws / 10
    chi_square = sum((counts[k] - expected) ** 2 / expected for k in range(10))
    assert chi_square < 30  # 9 degrees of freedom: above 30 has a chance of about 1 in 2500


def test_randint_includes_both_ends_and_nothing_outside():
    rng = Rng(5)

    seen = {rng.randint(-2, 2) for _ in range(500)}

    assert seen == {-2, -1, 0, 1, 2}


def test_random_is_a_float_in_the_unit_interval_with_mean_one_half():
    rng = Rng(11)

    values = [rng.random() for _ in range(20_000)]

    assert all(0.0 <= v < 1.0 for v in values)
    assert abs(sum(values) / len(values) - 0.5) < 0.01


def test_chance_of_zero_never_happens_and_chance_of_one_always_does():
    rng = Rng(3)

    assert not any(rng.chance(Decimal(0)) for _ in range(200))
    assert all(rng.chance(Decimal(1)) for _ in range(200))


@pytest.mark.parametrize("share", [Decimal("0.3"), Fraction(1, 7), Decimal("0.95")])
def test_chance_happens_about_as_often_as_its_share(share):
    rng = Rng(17)
    draws = 20_000

    hits = sum(rng.chance(share) for _ in range(draws))

    assert abs(hits / draws - float(share)) < 0.015


def test_weighted_index_follows_the_weights_and_never_picks_a_zero_weight():
    rng = Rng(8)

    counts = Counter(rng.weighted_index([1, 0, 3]) for _ in range(20_000))

    assert counts[1] == 0
    assert abs(counts[2] / 20_000 - 0.75) < 0.015


def test_choice_reaches_every_item():
    rng = Rng(9)

    assert {rng.choice(["a", "b", "c"]) for _ in range(200)} == {"a", "b", "c"}


def test_coin_flips_average_half_the_flips():
    rng = Rng(12)

    flips = [rng.coin_flips(40) for _ in range(5_000)]

    assert all(0 <= f <= 40 for f in flips)
    assert abs(sum(flips) / len(flips) - 20) < 0.2


def test_exponential_draws_are_positive_decimals_with_the_stated_mean():
    rng = Rng(21)

    values = [rng.exponential(Decimal(60)) for _ in range(20_000)]

    assert all(isinstance(v, Decimal) and v >= 0 for v in values)
    assert abs(sum(values) / len(values) - 60) < 2


def test_normal_draws_have_mean_zero_and_variance_one():
    rng = Rng(22)

    values = [rng.normal() for _ in range(20_000)]

    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    assert abs(mean) < Decimal("0.03")
    assert abs(variance - 1) < Decimal("0.05")


def test_lognormal_draws_are_positive_with_the_stated_median():
    rng = Rng(23)

    values = sorted(rng.lognormal(Decimal(400), Decimal("0.6")) for _ in range(10_001))

    assert values[0] > 0
    assert abs(values[5_000] - 400) < 15


def test_forking_does_not_move_the_parent_and_the_same_keys_give_the_same_child():
    parent = Rng(30)
    before = parent.state

    child = parent.fork("lead", 4)

    assert parent.state == before
    assert child.state == parent.fork("lead", 4).state


@pytest.mark.parametrize("other", [("lead", 5), ("lead",), (4, "lead"), ("Lead", 4), ("lead", -4)])
def test_different_fork_keys_give_different_streams(other):
    parent = Rng(30)

    assert parent.fork("lead", 4).next64() != parent.fork(*other).next64()


@pytest.mark.parametrize(
    ("call", "error", "field"),
    [
        (lambda: Rng(-1), InvalidField, "seed"),
        (lambda: Rng(True), InvalidType, "seed"),
        (lambda: Rng(1.5), InvalidType, "seed"),
        (lambda: Rng(1).below(0), InvalidField, "n"),
        (lambda: Rng(1).randint(3, 1), InvalidField, "high"),
        (lambda: Rng(1).chance(0.5), InvalidType, "share"),
        (lambda: Rng(1).chance(Decimal("1.5")), InvalidField, "share"),
        (lambda: Rng(1).choice([]), InvalidField, "items"),
        (lambda: Rng(1).weighted_index([0, 0]), InvalidField, "weights"),
        (lambda: Rng(1).weighted_index([1, -1]), InvalidField, "weights[1]"),
        (lambda: Rng(1).exponential(Decimal(0)), InvalidField, "mean"),
        (lambda: Rng(1).fork(1.5), InvalidType, "key"),
        (lambda: Rng.from_state((0, 0, 0, 0)), InvalidField, "state"),
        (lambda: Rng.from_state((1, 2, 3, 2**64)), InvalidField, "state[3]"),
    ],
)
def test_bad_arguments_are_refused_naming_the_field(call, error, field):
    with pytest.raises(error) as caught:
        call()

    assert caught.value.field == field

"""Counts and their changes: percentages, the E-test, the FDR adjustment, rising rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from digests.analysis.counts import (
    ALPHA,
    MIN_COUNT,
    Change,
    Comparison,
    Exposure,
    adjust,
    compare,
    counts_by,
    increase_p_value,
)

MONTH = Exposure(now=30.0, previous=30.0, year_ago=30.0)


def counts(**values: int) -> pd.Series:
    return pd.Series(values, dtype="int64")


def row(rows: list[Change], key: str) -> Change:
    (found,) = [r for r in rows if r.key == key]
    return found


def test_percent_of_the_earlier_count() -> None:
    assert Comparison(387).percent(317) == pytest.approx(-18.0878552971)
    assert round(Comparison(387).percent(317) or 0) == -18
    assert Comparison(40).percent(120) == pytest.approx(200.0)
    assert Comparison(10).percent(10) == 0.0
    assert Comparison(10).percent(0) == pytest.approx(-100.0)


def test_percent_without_an_earlier_count_is_none() -> None:
    assert Comparison(0).percent(12) is None
    assert Comparison(None).percent(12) is None


def test_compare_lists_every_key_largest_first() -> None:
    rows = compare(
        "category",
        counts(klotter=317, skrap=12, brand=12),
        counts(klotter=387, skrap=20, glas=3),
        None,
        MONTH,
    )
    assert [(r.key, r.now) for r in rows] == [
        ("klotter", 317),
        ("brand", 12),
        ("skrap", 12),
        ("glas", 0),
    ]
    assert [r.previous.before for r in rows] == [387, 0, 20, 3]
    assert all(r.dimension == "category" for r in rows)
    assert all(r.year_ago == Comparison(None) for r in rows)
    # p-values are set, adjusted ones not yet
    assert all(r.previous.p_value is not None and r.previous.adjusted is None for r in rows)
    assert row(rows, "glas").previous.p_value == 1.0  # nothing now: never an increase
    assert row(rows, "klotter").previous.percent(317) == pytest.approx(-18.0878552971)


def test_a_planted_increase_is_rising_and_a_chance_one_is_not() -> None:
    rows = compare(
        "category",
        counts(klotter=120, skrap=44, glas=30, brand=8),
        counts(klotter=40, skrap=40, glas=31, brand=9),
        counts(klotter=45, skrap=41, glas=29, brand=7),
        MONTH,
    )
    assert not any(r.rising for r in rows)  # nothing is rising before the adjustment
    rows = adjust(rows)
    klotter, skrap = row(rows, "klotter"), row(rows, "skrap")
    assert klotter.rising
    assert [name for name, _ in klotter.significant()] == ["previous", "year_ago"]
    assert klotter.previous.adjusted is not None and klotter.previous.adjusted < 1e-6
    assert not skrap.rising
    assert skrap.previous.adjusted is not None and skrap.previous.adjusted > 0.3
    assert [r.key for r in rows if r.rising] == ["klotter"]


def test_fewer_than_min_count_is_never_rising() -> None:
    # 4 now against nothing in a whole year: a tiny p-value, but too few to call it anything
    p = increase_p_value(MIN_COUNT - 1, 30, 0, 365)
    assert p < 1e-4
    exposure = Exposure(now=30, previous=365, year_ago=None)
    (few,) = adjust(compare("area", counts(Norr=MIN_COUNT - 1), counts(Norr=0), None, exposure))
    assert few.previous.adjusted is not None and few.previous.adjusted < ALPHA
    assert not few.rising
    # the same adjusted p-value with MIN_COUNT now is rising
    tiny = Comparison(0, p_value=1e-6, adjusted=1e-6)
    assert Change("area", "Norr", MIN_COUNT, tiny, Comparison(None)).rising
    assert not Change("area", "Norr", MIN_COUNT - 1, tiny, Comparison(None)).rising


def test_exposure_matters() -> None:
    equal = increase_p_value(20, 30, 20, 30)
    half = increase_p_value(20, 15, 20, 30)  # the same count in half the days: twice the rate
    double = increase_p_value(20, 60, 20, 30)
    assert half < equal < double
    assert equal > 0.4
    assert half < 0.05
    assert double > 0.95
    assert increase_p_value(40, 15, 40, 30) < 0.01
    (same_days,) = adjust(
        compare("category", counts(a=40), counts(a=40), None, Exposure(30, 30, None))
    )
    assert not same_days.rising
    (half_days,) = adjust(
        compare("category", counts(a=40), counts(a=40), None, Exposure(15, 30, None))
    )
    adjusted = half_days.previous.adjusted
    assert adjusted == pytest.approx(increase_p_value(40, 15, 40, 30))
    assert adjusted is not None and adjusted < 0.01


def test_a_significantly_higher_rate_with_the_same_count_is_rising() -> None:
    (half_days,) = adjust(
        compare("category", counts(a=40), counts(a=40), None, Exposure(15, 30, None))
    )
    assert half_days.rising


def test_increase_p_value_edges() -> None:
    assert increase_p_value(0, 30, 10, 30) == 1.0
    assert increase_p_value(10, 0, 10, 30) == 1.0
    assert increase_p_value(10, 30, 10, 0) == 1.0
    assert 0 < increase_p_value(10, 30, 0, 30) < 0.001  # from nothing to ten
    assert increase_p_value(10, 30, 100, 30) > 0.999
    p = increase_p_value(10, 30.5, 7, 29.0)
    assert 0.0 <= p <= 1.0 and not np.isnan(p)


def test_missing_comparison_gives_an_empty_comparison_and_is_never_rising() -> None:
    exposure = Exposure(now=30, previous=None, year_ago=None)
    rows = compare("category", counts(a=120, b=3), counts(a=1), counts(a=2), exposure)
    assert [(r.key, r.previous, r.year_ago) for r in rows] == [
        ("a", Comparison(None), Comparison(None)),
        ("b", Comparison(None), Comparison(None)),
    ]
    adjusted = adjust(rows)
    assert adjusted == rows  # nothing to adjust
    assert not any(r.rising for r in adjusted)
    assert rows[0].previous.percent(120) is None
    # a period that is not there at all reads the same
    assert compare("category", counts(a=5), None, None, MONTH)[0].previous == Comparison(None)


def test_adjust_keeps_order_and_never_lowers_a_p_value() -> None:
    rng = np.random.default_rng(7)
    keys = [f"k{i}" for i in range(25)]
    now = pd.Series(rng.poisson(30, len(keys)), index=keys)
    before = pd.Series(rng.poisson(30, len(keys)), index=keys)
    rows = compare("category", now, before, before.iloc[:10], Exposure(30, 31, 30))
    adjusted = adjust(rows)
    assert [(r.key, r.now) for r in adjusted] == [(r.key, r.now) for r in rows]
    for raw, done in zip(rows, adjusted, strict=True):
        for name in ("previous", "year_ago"):
            a, b = getattr(raw, name), getattr(done, name)
            assert (a.before, a.p_value) == (b.before, b.p_value)
            assert a.p_value is not None and b.adjusted is not None
            assert a.p_value <= b.adjusted <= 1.0


def test_adjust_is_benjamini_hochberg_over_all_comparisons() -> None:
    rows = [
        Change("category", "a", 10, Comparison(5, 0.01), Comparison(None)),
        Change("area", "b", 10, Comparison(5, 0.04), Comparison(5, 0.03)),
    ]
    adjusted = adjust(rows)
    # sorted 0.01, 0.03, 0.04 of three: 0.03, min(0.045, 0.04), 0.04
    assert adjusted[0].previous.adjusted == pytest.approx(0.03)
    assert adjusted[1].previous.adjusted == pytest.approx(0.04)
    assert adjusted[1].year_ago.adjusted == pytest.approx(0.04)
    assert adjusted[0].year_ago == Comparison(None)
    assert adjust([]) == []


def test_counts_by_leaves_out_empty_values() -> None:
    frame = pd.DataFrame(
        {
            "category": pd.Categorical(
                ["klotter", "klotter", "skrap", None, "klotter"],
                categories=["klotter", "skrap", "brand"],
            ),
            "area": ["Norr", "", None, "Norr", "Söder"],
        }
    )
    assert counts_by(frame, "category").to_dict() == {"klotter": 3, "skrap": 1}
    assert counts_by(frame, "area").to_dict() == {"Norr": 2, "Söder": 1}
    assert counts_by(frame.iloc[:0], "area").empty


@pytest.mark.parametrize(
    ("now", "before", "etest"),
    [
        # E-test p-values (statsmodels, method="etest") over 30 days now, 31 days before
        (250, 250, 0.357079),
        (251, 250, 0.340417),  # above ETEST_UP_TO in all: the score test
        (270, 230, 0.015603),
        (271, 230, 0.013983),
        (317, 387, 0.986299),
        (1000, 900, 0.001312),
        (5000, 4800, 0.000135),
    ],
)
def test_large_counts_give_the_e_test_p_value_to_the_third_decimal(
    now: int, before: int, etest: float
) -> None:
    assert increase_p_value(now, 30, before, 31) == pytest.approx(etest, abs=1e-3)

"""Counts and their changes: per category, area and organisation, against the previous
period and the same period a year earlier, with a test of whether an increase is chance.

The test is the Poisson E-test of Krishnamoorthy and Thomson (statsmodels
`test_poisson_2indep`), on rates per day, so that a 31-day month is fairly compared with a
30-day one. Many rows are tested at once, so the p-values are adjusted for the false
discovery rate (Benjamini–Hochberg) before "utveckling i fel riktning" lists a row.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.rates import test_poisson_2indep

ALPHA = 0.05  # after the FDR adjustment
MIN_COUNT = 5  # fewer than this in the period is never called a development
ETEST_UP_TO = 500


@dataclass(frozen=True)
class Comparison:
    """A count now against an earlier period of the same kind (None: no data that far back)."""

    before: int | None
    p_value: float | None = None  # one-sided: is "now" higher than chance would make it?
    adjusted: float | None = None  # after the false-discovery-rate adjustment

    def percent(self, now: int) -> float | None:
        """The change in percent of the earlier count: 387 → 317 is −18 %."""
        if self.before is None or self.before == 0:
            return None
        return 100.0 * (now - self.before) / self.before


@dataclass(frozen=True)
class Change:
    """One row of a table of totals: a category, an area or an organisation."""

    dimension: str  # "category", "area", "organisation"
    key: str
    now: int
    previous: Comparison
    year_ago: Comparison

    def significant(self) -> list[tuple[str, Comparison]]:
        """The comparisons ("previous", "year_ago") that show an increase unlikely to be
        chance (adjusted p below ALPHA, and at least MIN_COUNT now)."""
        return [
            (name, comparison)
            for name, comparison in (("previous", self.previous), ("year_ago", self.year_ago))
            if self.now >= MIN_COUNT
            and comparison.adjusted is not None
            and comparison.adjusted < ALPHA
            and comparison.before is not None  # the test is one-sided: rates went up
        ]

    @property
    def rising(self) -> bool:
        """A significant increase against either earlier period."""
        return bool(self.significant())


def increase_p_value(now: int, now_days: float, before: int, before_days: float) -> float:
    """One-sided p-value of the E-test that the rate now is higher than before.

    The E-test sums over every pair of counts up to a few times those seen, which takes
    time and memory growing with their square; above ETEST_UP_TO observations in all the
    score test is used, which at such counts gives the same p-value to the third decimal.
    """
    if now == 0 or now_days <= 0 or before_days <= 0:
        return 1.0
    method = "etest" if now + before <= ETEST_UP_TO else "score"
    with warnings.catch_warnings():  # a zero count before divides by zero inside; harmless
        warnings.simplefilter("ignore", RuntimeWarning)
        result = test_poisson_2indep(
            now, now_days, before, before_days, method=method, alternative="larger"
        )
    p_value = float(result.pvalue)
    return 1.0 if np.isnan(p_value) else min(1.0, p_value)


@dataclass(frozen=True)
class Exposure:
    """How many days each compared period lasted; None where the data does not reach."""

    now: float
    previous: float | None
    year_ago: float | None


def compare(
    dimension: str,
    now: pd.Series,
    previous: pd.Series | None,
    year_ago: pd.Series | None,
    exposure: Exposure,
) -> list[Change]:
    """Rows for every key seen in any period, largest now first; p-values not yet adjusted."""
    keys = list(now.index)
    for other in (previous, year_ago):
        if other is not None:
            keys += [k for k in other.index if k not in keys]
    rows = []
    for key in keys:
        count = int(now.get(key, 0))
        rows.append(
            Change(
                dimension,
                str(key),
                count,
                _comparison(count, exposure.now, previous, key, exposure.previous),
                _comparison(count, exposure.now, year_ago, key, exposure.year_ago),
            )
        )
    rows.sort(key=lambda row: (-row.now, row.key))
    return rows


def _comparison(
    count: int, days: float, earlier: pd.Series | None, key: object, earlier_days: float | None
) -> Comparison:
    if earlier is None or earlier_days is None:
        return Comparison(None)
    before = int(earlier.get(key, 0))
    return Comparison(before, increase_p_value(count, days, before, earlier_days))


def adjust(rows: Sequence[Change]) -> list[Change]:
    """The same rows with every p-value adjusted together (Benjamini–Hochberg)."""
    found = [
        (index, name, comparison.p_value)
        for index, row in enumerate(rows)
        for name, comparison in (("previous", row.previous), ("year_ago", row.year_ago))
        if comparison.p_value is not None
    ]
    if not found:
        return list(rows)
    _, adjusted, _, _ = multipletests([p for _, _, p in found], method="fdr_bh")
    result = list(rows)
    for (index, name, _), value in zip(found, adjusted, strict=True):
        row = result[index]
        comparison = replace(getattr(row, name), adjusted=float(value))
        result[index] = replace(row, **{name: comparison})
    return result


def counts_by(frame: pd.DataFrame, column: str) -> pd.Series:
    """How many rows per value of a column (empty values left out)."""
    values = frame[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        counted = values.value_counts(sort=False)
    else:
        counted = values.dropna().value_counts(sort=False)
    counted = counted[counted > 0]
    return counted[counted.index.astype(str) != ""]


def summed(counts: pd.DataFrame | None, column: str) -> pd.Series | None:
    """Counts per value of a column from a table of counts (`read_counts`)."""
    if counts is None:
        return None
    summed_up = counts.groupby(column, dropna=True)["n"].sum()
    summed_up = summed_up[summed_up > 0]
    return summed_up[summed_up.index.astype(str) != ""]

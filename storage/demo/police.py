"""Demo police figures for Kvarnby: crimes reported per month, crime type and district, so
that the demo's lägesbilder show the police's numbers beside the staff's observations.

Drawn as Poisson counts around plausible monthly rates for a town of Kvarnby's size, a
little higher in summer; drug offences in Centrum rise from the last complete tertial on,
as the observations of suspected dealing near the station do. Figures stop at the last
complete month: the police publish a month once it is over.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from sqlmodel import Session

from storage.police.figures import FigureRow, import_police_figures, shift

DISTRICTS = ("Centrum", "Norr", "Söder", "Väster", "Öster")
# Reported crimes a month in a district of average size.
RATES = {
    "Skadegörelsebrott": 9.0,
    "Stöld och tillgreppsbrott": 14.0,
    "Narkotikabrott": 3.0,
    "Misshandel": 2.5,
    "Olaga hot": 2.0,
    "Rån": 0.4,
}
DISTRICT_WEIGHT = {"Centrum": 1.8, "Norr": 0.7, "Söder": 1.3, "Väster": 0.8, "Öster": 0.6}
RISING = ("Narkotikabrott", "Centrum")


def add_police_figures(
    *, session: Session, first: datetime, now: datetime, tz: ZoneInfo, growth_from: datetime,
    rng: np.random.Generator,
) -> int:  # fmt: skip
    """Store the demo's police figures for every whole month from `first` up to the last
    complete month before `now`; returns how many rows."""
    month = shift(first.astimezone(tz).date().replace(day=1), 1)
    last = shift(now.astimezone(tz).date().replace(day=1), -1)
    rising_from = growth_from.astimezone(tz).date().replace(day=1)
    rows = []
    while month <= last:
        summer = 1.2 if month.month in (6, 7, 8) else 1.0
        for crime, rate in RATES.items():
            for district in DISTRICTS:
                mean = rate * DISTRICT_WEIGHT[district] * summer
                if (crime, district) == RISING and month >= rising_from:
                    mean *= 2.2
                rows.append(FigureRow(month, crime, district, int(rng.poisson(mean))))
        month = shift(month, 1)
    import_police_figures(session=session, rows=rows, now=now)
    return len(rows)

"""What people may name in an export's filters: categories (by code or by label in either
language), areas and statuses, checked against what exists so that a typo is an error
that lists the valid names, never an empty file."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from storage.kinds import Status
from storage.tables import Category, Observation


class UnknownChoice(ValueError):
    """A name in a filter that matches nothing; says which were given and which exist."""

    def __init__(self, what: str, given: list[str], valid: list[str]) -> None:
        self.what, self.given, self.valid = what, given, valid
        known = ", ".join(valid) if valid else "none"
        super().__init__(f"unknown {what} {', '.join(map(repr, given))}; valid: {known}")


def choose_categories(*, session: Session, wanted: Iterable[str]) -> tuple[str, ...]:
    """Category codes for codes or Swedish or English labels (any case); hidden
    categories count too, since old observations keep theirs."""
    categories = session.exec(select(Category).order_by(col(Category.position))).all()
    by_name = {
        name.casefold(): c.code for c in categories for name in (c.code, c.label_sv, c.label_en)
    }
    return _chosen("category", wanted, by_name, [c.code for c in categories])


def choose_areas(
    *, session: Session, wanted: Iterable[str], configured: Iterable[str] = ()
) -> tuple[str, ...]:
    """Area names (any case) among the configured areas and those observations carry."""
    stored = session.exec(
        select(Observation.area).where(col(Observation.area).is_not(None)).distinct()
    ).all()
    names = sorted({*configured, *(name for name in stored if name)})
    return _chosen("area", wanted, {name.casefold(): name for name in names}, names)


def choose_statuses(wanted: Iterable[str]) -> tuple[Status, ...]:
    """Statuses by their codes (new, assessed, in_progress, resolved, closed)."""
    codes = [status.value for status in Status]
    chosen = _chosen("status", wanted, {code: code for code in codes}, codes)
    return tuple(Status(code) for code in chosen)


def _chosen(
    what: str, wanted: Iterable[str], by_name: dict[str, str], valid: list[str]
) -> tuple[str, ...]:
    wanted = [name.strip() for name in wanted]
    unknown = [name for name in wanted if name.casefold() not in by_name]
    if unknown:
        raise UnknownChoice(what, unknown, valid)
    return tuple(dict.fromkeys(by_name[name.casefold()] for name in wanted))

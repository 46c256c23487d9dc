"""Which linked group a chat is, and which observations each linked group sees (its filter)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from storage.tables import Category, CoordinatorGroup, Observation


@dataclass(frozen=True)
class GroupFilter:
    """What a group wants to see; empty lists mean everything."""

    urgent_only: bool
    category_codes: tuple[str, ...]
    organisation_ids: tuple[int, ...]

    def matches(self, category: Category, organisation_id: int) -> bool:
        """Whether an observation of this category and organisation belongs in the group."""
        if self.urgent_only and not category.urgent:
            return False
        if self.category_codes and category.code not in self.category_codes:
            return False
        return not self.organisation_ids or organisation_id in self.organisation_ids


def group_filter(group: CoordinatorGroup) -> GroupFilter:
    """What a group's settings let in."""
    return GroupFilter(
        group.urgent_only, tuple(group.category_codes), tuple(group.organisation_ids)
    )


def find_group(*, session: Session, chat_id: int) -> CoordinatorGroup | None:
    """The linked group with this chat id; None if the chat is not (or no longer) linked."""
    group = session.exec(
        select(CoordinatorGroup).where(CoordinatorGroup.chat_id == chat_id)
    ).first()
    return group if group is not None and group.active else None


def groups_for(
    *, session: Session, category: Category, organisation_id: int
) -> list[CoordinatorGroup]:
    """The linked groups whose filter lets this observation in."""
    groups = session.exec(
        select(CoordinatorGroup)
        .where(col(CoordinatorGroup.active))
        .order_by(col(CoordinatorGroup.id))
    ).all()
    return [g for g in groups if group_filter(g).matches(category, organisation_id)]


def group_sees(*, session: Session, chat_id: int, observation: Observation) -> bool:
    """Whether a linked group may see an observation (its filter lets it in)."""
    group = find_group(session=session, chat_id=chat_id)
    if group is None:
        return False
    category = session.get_one(Category, observation.category_id)
    return group_filter(group).matches(category, observation.organisation_id)

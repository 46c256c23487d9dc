"""/minadata (/mydata): what estbot stores about the person asking, as messages and as a
JSON file they can keep (the right of access, GDPR art. 15)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ContextTypes

from digests.render import TELEGRAM_LIMIT, pack
from handlers import menus
from handlers.services import current_member, services, texts
from handlers.texts import Html, Texts
from storage.people.mydata import Document, personal_data
from storage.tables import utcnow

DESCRIPTION_SHOWN = 300  # characters of each description in the messages; the file has all
SHOWN = 20  # the newest observations and comments in the messages: a few, not a flood


async def my_data(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The person's user row, observations, comments and draft: messages, then the file."""
    s, t = services(context), texts(context)
    member, message = current_member(context), update.effective_message
    assert member is not None and message is not None
    document = await s.db(personal_data, user_id=member.user_id, language=t.language)
    for part in pack(_parts(t, document, s.tz), TELEGRAM_LIMIT - 100, "\n\n"):
        await message.reply_text(Html(part))
    data = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    name = f"estbot-minadata-{utcnow().astimezone(s.tz):%Y-%m-%d}.json"
    await message.reply_document(
        data, filename=name, caption=t("mydata_file"), reply_markup=menus.main_menu(t)
    )


def _when(moment: Any, tz: ZoneInfo) -> str:
    if not isinstance(moment, str):
        return "–"
    return datetime.fromisoformat(moment).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _parts(t: Texts, document: Document, tz: ZoneInfo) -> list[str]:
    user = document["user"]
    parts: list[str] = [
        t("mydata_head", name=user["name"] or "–", organisation=user["organisation"],
          username=f"@{user['username']}" if user["username"] else "–",
          role=t.plain(f"role_{user['role']}"), language=user["language"] or "–",
          registered=_when(user["registered_at"], tz)),
        t("mydata_observations", count=len(document["observations"])),
    ]  # fmt: skip
    for item in document["observations"][-SHOWN:]:
        parts.append(
            t("mydata_observation", reference=item["reference"], category=item["category"],
              place=item["place"] or "–", status=t.plain(f"status_{item['status']}"),
              photos=item["photos"], description=_short(item["description"]))
        )  # fmt: skip
    parts += _more(t, document["observations"])
    parts.append(t("mydata_comments", count=len(document["comments"])))
    parts += [
        t("mydata_comment", reference=c["reference"], text=_short(c["text"]))
        for c in document["comments"][-SHOWN:]
    ]
    parts += _more(t, document["comments"])
    parts.append(
        t("mydata_other", status_changes=len(document["status_changes"]),
          interventions=len(document["interventions"]), groups=len(document["groups_linked"]))
    )  # fmt: skip
    draft = document["draft"]
    if draft is None:
        parts.append(t("mydata_no_draft"))
    else:
        parts.append(
            t("mydata_draft", category=draft["category"] or "–", place=draft["place"] or "–",
              description=_short(draft["description"] or "–"), photos=draft["photos"])
        )  # fmt: skip
    return parts


def _more(t: Texts, items: list[Any]) -> list[str]:
    """ "… and 12 earlier ones, all in the file", where not all were shown."""
    return [t("mydata_more", count=len(items) - SHOWN)] if len(items) > SHOWN else []


def _short(text: str) -> str:
    return text if len(text) <= DESCRIPTION_SHOWN else text[: DESCRIPTION_SHOWN - 1] + "…"

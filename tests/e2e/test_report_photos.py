"""Reports that start with a photo or a position, albums, image files, and EXIF stripping."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PIL import Image
from sqlmodel import select

from bot.trial.fake_telegram.people import SimUser
from storage.database.engine import transaction
from storage.tables import Photo
from tests.e2e.conftest import KVARNPARKEN, World, jpeg
from tests.e2e.helpers import text, to_summary


def gps_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (59.0, 7.0, 34.0), 3: "E", 4: (15.0, 8.0, 30.0)})
    return jpeg(80, 60, "blue", exif=exif.tobytes())


def stored_photos(world: World) -> list[Photo]:
    with transaction(world.engine) as session:
        return list(session.exec(select(Photo).order_by(Photo.id)).all())


async def test_photo_with_caption_files_a_report_in_five_actions(
    world: World, anna: SimUser
) -> None:
    original = gps_jpeg()
    assert Image.open(__import__("io").BytesIO(original)).getexif().get_ifd(0x8825), (
        "test photo has GPS"
    )
    await anna.send_photo(original, caption="Krossad ruta i busskuren")  # 1
    ask_category = await anna.next_message()
    assert "Fotot är sparat" in text(ask_category) and "Välj kategori" in text(ask_category)
    await anna.press("🔨 Skadegörelse")  # 2
    await anna.next_message()
    await anna.send_location(*KVARNPARKEN)  # 3
    ask_when = await anna.next_message()
    ask_when = ask_when if "När hände det" in text(ask_when) else await anna.next_message()
    assert "När hände det" in text(ask_when), "the caption was the description: not asked again"
    await anna.press("Nu")  # 4
    summary = await anna.next_message()
    assert "1 foto" in text(summary) and "busskuren" in text(summary)
    await anna.press("✅ Skicka", summary)  # 5
    assert "Tack!" in text(await anna.next_message())

    (observation,) = world.observations()
    assert observation.description == "Krossad ruta i busskuren"
    (photo,) = stored_photos(world)
    assert photo.observation_id == observation.id and photo.draft_id is None
    path = Path(photo.path)
    assert path.parent == world.data_dir / "photos"
    data = path.read_bytes()
    assert path.name == f"{hashlib.sha256(data).hexdigest()}.jpg" == f"{photo.sha256}.jpg"
    cleaned = Image.open(path)
    assert not cleaned.getexif(), "no EXIF at all, above all no GPS"
    assert b"PhoneMaker" not in data
    assert photo.file_id and photo.file_unique_id


async def test_album_is_one_prompt_and_all_photos(world: World, anna: SimUser) -> None:
    colours = ["red", "green", "blue"]
    await anna.send_photo(
        jpeg(colour=colours[0]), caption="Tre bilder på klottret", media_group_id="album1"
    )
    for colour in colours[1:]:
        await anna.send_photo(jpeg(colour=colour), media_group_id="album1")
    await world.telegram.idle(anna.id)
    prompts = [m for m in anna.messages if "Välj kategori" in text(m)]
    assert len(prompts) == 1
    await anna.press("🎨 Klotter")
    await anna.next_message()
    await anna.send_location(*KVARNPARKEN)
    await anna.wait_for(lambda m: "När hände det" in text(m))
    await anna.press("Nu")
    summary = await anna.wait_for(lambda m: "Sammanfattning" in text(m))
    assert "3 foto" in text(summary)
    await anna.press("✅ Skicka", summary)
    await anna.wait_for(lambda m: "Tack!" in text(m))
    assert len([p for p in stored_photos(world) if p.observation_id]) == 3


async def test_image_sent_as_a_file_counts_as_a_photo(world: World, anna: SimUser) -> None:
    await to_summary(anna)
    await anna.send_document(
        jpeg(colour="yellow"), file_name="IMG_0001.jpg", mime_type="image/jpeg"
    )
    reply = await anna.next_message()
    assert "Fotot är sparat (1 av högst 10)" in text(reply) and "Sammanfattning" in text(reply)
    assert len(stored_photos(world)) == 1


async def test_other_files_are_refused_and_the_draft_kept(world: World, anna: SimUser) -> None:
    await to_summary(anna)
    await anna.send_document(
        b"%PDF-1.4 not an image", file_name="rapport.pdf", mime_type="application/pdf"
    )
    assert "ingen bild" in text(await anna.next_message())
    await anna.send_document(b"garbage", file_name="fake.jpg", mime_type="image/jpeg")
    assert "ingen bild" in text(await anna.next_message())
    await anna.press("✅ Skicka")
    assert "Tack!" in text(await anna.next_message())
    assert stored_photos(world) == []


async def test_at_most_ten_photos(world: World, anna: SimUser) -> None:
    for index in range(11):
        await anna.send_photo(jpeg(width=20 + index), media_group_id=None)
        reply = await anna.next_message()
    assert "högst 10" in text(reply) and "Fotot är sparat" not in text(reply)
    assert len(stored_photos(world)) == 10


async def test_photo_at_a_later_step_is_added_and_the_step_asked_again(
    world: World, anna: SimUser
) -> None:
    await to_summary(anna)
    await anna.send_photo(jpeg(colour="white"))
    reply = await anna.next_message()
    assert "Fotot är sparat" in text(reply) and "1 foto" in text(reply)


async def test_location_outside_a_report_starts_one_with_the_place(
    world: World, anna: SimUser
) -> None:
    await anna.send_location(*KVARNPARKEN)
    first = await anna.next_message()
    assert "vid Kvarnparken" in text(first)
    ask_category = first if "Välj kategori" in text(first) else await anna.next_message()
    assert "Välj kategori" in text(ask_category)
    await anna.press("🗑️ Nedskräpning")
    assert "Beskriv" in text(await anna.next_message())
    await anna.send("Folie och fimpar vid bänken")
    await anna.next_message()
    await anna.press("För en stund sedan")
    summary = await anna.next_message()
    await anna.press("✅ Skicka", summary)
    assert "Tack!" in text(await anna.next_message())
    (observation,) = world.observations()
    assert observation.place_name == "Kvarnparken"
    assert 25 <= (observation.reported_at - observation.occurred_at).total_seconds() / 60 <= 31


async def test_a_photo_does_not_join_a_report_abandoned_hours_ago(
    world: World, anna: SimUser
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from storage.tables import Draft, utcnow

    await to_summary(anna)
    await anna.send_photo(jpeg(colour="black"))
    await anna.next_message()
    old_file = stored_photos(world)[0].path
    with transaction(world.engine) as session:
        session.execute(update(Draft).values(updated_at=utcnow() - timedelta(hours=4)))
    await anna.send_photo(jpeg(colour="white"), caption="Ny sak idag")
    reply = await anna.next_message()
    assert "Välj kategori" in text(reply), "a new report, asking for everything again"
    (photo,) = stored_photos(world)
    assert photo.path != old_file and not Path(old_file).exists(), "the abandoned photo is gone"


async def test_a_caption_adds_to_the_description_already_written(
    world: World, anna: SimUser
) -> None:
    await to_summary(anna)
    await anna.send_photo(jpeg(colour="navy"), caption="Taggen syns tydligt här")
    reply = await anna.next_message()
    assert "Klotter på väggen vid entrén" in text(reply) and "Taggen syns tydligt här" in text(
        reply
    )

"""Photos are stored without EXIF (no GPS position of the phone) or other metadata.

Telegram re-encodes a photo sent as a photo, but an image sent as a *file* arrives byte for
byte as the phone wrote it, GPS tags and all: that is the case that matters.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from bot.trial.fake_telegram.people import SimUser
from storage.database.engine import transaction
from storage.tables import Photo
from tests.e2e.conftest import KVARNPARKEN, World, jpeg
from tests.e2e.helpers import send_report, text

GPS_IFD = 0x8825


def phone_exif() -> Image.Exif:
    """What a phone writes: make, model, when, and where (Kvarnparken, to the metre)."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0132] = "2026:11:22 07:42:00"  # DateTime
    exif.get_ifd(GPS_IFD).update(
        {1: "N", 2: (59.0, 7.0, 34.32), 3: "E", 4: (15.0, 8.0, 30.48), 6: 42.0}
    )
    return exif


def image_with_gps(fmt: str) -> bytes:
    if fmt == "JPEG":
        return jpeg(120, 90, "green", exif=phone_exif().tobytes())
    out = io.BytesIO()
    Image.new("RGB", (120, 90), "green").save(out, format="PNG", exif=phone_exif())
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png")])
async def test_an_image_sent_as_a_file_is_stored_without_exif_or_gps(
    world: World, anna: SimUser, fmt: str, mime: str
) -> None:
    original = image_with_gps(fmt)
    sent = Image.open(io.BytesIO(original))
    assert sent.getexif().get_ifd(GPS_IFD)[2] == (59.0, 7.0, 34.32), "the test image has GPS"
    assert b"PhoneMaker" in original

    await anna.send_document(original, f"IMG_0042.{fmt.lower()}", mime, caption="Klotter")
    await anna.wait_for(lambda m: "Välj kategori" in text(m))
    await anna.press("🎨 Klotter")
    await anna.next_message()
    await anna.send_location(*KVARNPARKEN)
    await anna.wait_for(lambda m: "När hände det" in text(m))
    await anna.press("Nu")
    await send_report(anna, await anna.wait_for(lambda m: "Sammanfattning" in text(m)))

    with transaction(world.engine) as session:
        (photo,) = session.exec(select(Photo)).all()
    assert photo.observation_id == world.observations()[0].id
    stored = Path(photo.path).read_bytes()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (120, 90)
    assert len(image.getexif()) == 0 and not image.getexif().get_ifd(GPS_IFD)
    assert not {"exif", "xmp", "comment", "icc_profile"} & set(image.info)
    assert b"Exif\x00\x00" not in stored, "no APP1 EXIF segment at all"
    for trace in (b"PhoneMaker", b"Model X", b"2026:11:22"):
        assert trace not in stored

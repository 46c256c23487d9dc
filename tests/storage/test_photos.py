"""Photo files: the same picture stored by several people at once."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from storage.reports.photos import StoredFile, store_photo_file


def test_the_same_picture_sent_by_many_at_once_is_stored_once(tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), "green").save(out, format="JPEG")
    data = out.getvalue()
    for attempt in range(20):  # the race is short: give it many chances
        directory = tmp_path / str(attempt)
        start = threading.Barrier(8)

        def store(
            _: int, directory: Path = directory, start: threading.Barrier = start
        ) -> StoredFile:
            start.wait()
            return store_photo_file(data, directory)

        with ThreadPoolExecutor(8) as pool:
            stored = list(pool.map(store, range(8)))
        assert len({s.path for s in stored}) == 1
        assert [p.name for p in directory.iterdir()] == [Path(stored[0].path).name]

"""`estbot demo` and `estbot digest` as a newcomer runs them: real processes, real files."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

DEMO_SIZE = "3000"


def estbot(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ESTBOT_", "TELEGRAM_"))}
    return subprocess.run(
        ["estbot", *args], cwd=cwd, env={**clean, **env}, capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """One demo run for the module: its directory and the HTML files it printed."""
    where = tmp_path_factory.mktemp("demo")
    done = estbot("demo", "--out", "out", "--observations", DEMO_SIZE, cwd=where)
    assert done.returncode == 0, done.stderr
    pages = [Path(line) for line in done.stdout.splitlines() if line.endswith(".html")]
    return where / "out", pages


def section(html: str, heading: str) -> str:
    """The text of one <section> by its heading."""
    found = re.search(rf"<h2>[^<]*{heading}.*?</section>", html, re.S)
    assert found, heading
    return found.group(0)


def test_the_demo_tertial_analysis_names_the_planted_hot_spots_and_the_rising_category(
    demo: tuple[Path, list[Path]],
) -> None:
    _, pages = demo
    assert [page.name.split("-")[0] for page in pages] == ["manadslagesbild", "tertialanalys"]
    html = pages[1].read_text("utf-8")
    assert "<h1>Tertialanalys T" in html
    hot = section(html, "Hot spots")
    assert "Södra gången" in hot and "Stationsparken" in hot
    rising = section(html, "Utveckling i fel riktning")
    assert "Fordon / motorburen ungdom" in rising and "mot samma period i fjol" in rising
    police = section(html, "Polisanmälningar")  # the demo's police figures, beside
    assert "Narkotikabrott" in police and "Centrum" in police
    assert "mot samma period i fjol" in police and "Polisanmälningar" in pages[0].read_text("utf-8")
    assert html.count('<img src="data:image/png;base64,') == 4  # self-contained charts
    assert "@page { size: A4" in html and "http" not in html.split("<body>")[1].split("<footer")[0]


def test_estbot_digest_writes_a_monthly_lagesbild_for_an_area_in_every_format(
    demo: tuple[Path, list[Path]],
) -> None:
    out, _ = demo
    env = {
        "ESTBOT_DATABASE_URL": f"sqlite:///{out / 'estbot-demo.db'}",
        "ESTBOT_AREAS_FILE": str(out / "kvarnby_areas.geojson"),
    }
    for fmt in ("html", "md", "telegram"):
        target = out / f"centrum.{fmt}"
        done = estbot(
            "digest", "--kind", "monthly", "--area", "centrum", "--format", fmt,
            "--out", str(target), cwd=out, **env,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        text = target.read_text("utf-8")
        assert "Månadslägesbild" in text and "området Centrum" in text
    english = estbot(
        "digest", "--kind", "tertial", "--format", "md", "--language", "en", cwd=out, **env
    )
    assert english.returncode == 0 and "# Tertial analysis T" in english.stdout
    log = estbot("audit", "--action", "listing", cwd=out, **env)  # a lägesbild lists in bulk
    listed = [line for line in log.stdout.splitlines() if " digest " in line]
    assert len(listed) == 4 and all(" cli " in line for line in listed), log.stdout
    assert (
        "digest tertial" in listed[0] and "digest monthly" in listed[-1] and "centrum" in listed[-1]
    )


def test_estbot_digest_says_what_is_wrong(demo: tuple[Path, list[Path]]) -> None:
    out, _ = demo
    env = {"ESTBOT_DATABASE_URL": f"sqlite:///{out / 'estbot-demo.db'}"}
    wrong_kind = estbot("digest", "--kind", "quarterly", cwd=out, **env)
    assert wrong_kind.returncode == 2 and "daily, week, 14d" in wrong_kind.stderr
    mismatch = estbot("digest", "--kind", "tertial", "--period", "2026-10", cwd=out, **env)
    assert mismatch.returncode == 2 and "monthly period" in mismatch.stderr
    no_areas = estbot("digest", "--kind", "monthly", "--area", "Centrum", cwd=out, **env)
    assert no_areas.returncode == 2 and "ESTBOT_AREAS_FILE" in no_areas.stderr

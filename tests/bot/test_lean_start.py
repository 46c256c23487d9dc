"""The bot starts without the analysis libraries: pandas, statsmodels, scipy, matplotlib,
h3 and openpyxl are some 200 MiB, and are needed only to make a lägesbild or a workbook."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.heavy import HEAVY


def loaded_after(statement: str) -> list[str]:
    probe = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    modules = json.loads(done.stdout)
    return sorted({name.split(".")[0] for name in modules} & set(HEAVY))


def test_importing_the_bot_loads_none_of_the_heavy_libraries() -> None:
    assert loaded_after("import bot.application, handlers.registry") == []


def test_the_probe_sees_them_when_a_lagesbild_module_is_imported() -> None:
    # the check above can fail: this is what it would report
    assert loaded_after("import digests.lagesbild, digests.charts.figures") == [
        "h3", "matplotlib", "pandas", "scipy", "statsmodels",
    ]  # fmt: skip

"""Check that a built wheel holds every file of the product packages that git tracks.

Usage: python .ci/check_wheel.py dist/estbot-*.whl. A sub-package without __init__.py, or
a data file that package-data does not name, would be missing from an installed estbot
while every test (run from the source tree) still passes; this says which.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile

PACKAGES = ("bot/", "handlers/", "storage/", "digests/")


def main(wheel: str) -> int:
    tracked = subprocess.run(
        ["git", "ls-files", *PACKAGES], check=True, capture_output=True, text=True
    ).stdout.split()
    shipped = set(zipfile.ZipFile(wheel).namelist())
    missing = [path for path in tracked if path not in shipped]
    for path in missing:
        print(f"not in the wheel: {path}")
    print(f"{len(tracked) - len(missing)} of {len(tracked)} tracked files are in {wheel}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

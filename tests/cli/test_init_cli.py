"""``plantops init`` migrates the database and compiles the scheduler's search into Numba's cache."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_init_compiles_the_search_once_and_later_processes_load_it(tmp_path: Path) -> None:
    cache = tmp_path / "numba"
    environment = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(cache),
        "PLANTOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'plant.db'}",
        "COLUMNS": "200",
    }
    command = [sys.executable, "-m", "plantops", "init"]

    first = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600)
    again = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600)

    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    assert "upgraded from empty" in first.stdout and "is up to date" in again.stdout
    assert list(cache.rglob("_tabu_kernels.search-*.nbi")) and list(cache.rglob("_tabu_kernels.times-*.nbi"))
    compiled, loaded = (float(re.findall(r"search ready \(([\d.]+) s\)", r.stdout)[0]) for r in (first, again))
    assert loaded < compiled / 4  # the second process loads what the first compiled

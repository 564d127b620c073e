"""The plantops command starts without importing what the command does not use (``python -X importtime``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

#: Libraries and layers that take seconds to import and that neither --help nor reading stock needs.
HEAVY = (
    "statsforecast",
    "numba",
    "ortools",
    "fastapi",
    "uvicorn",
    "starlette",
    "matplotlib",
    "polars",
    "pandas",
    "scipy",
    "numpy",
    "openpyxl",
    "plantops.web",
    "plantops.api",
    "plantops.engines",
    "plantops.services.forecasting",
    "plantops.services.scheduling",
    "plantops.services.planning",
    "plantops.services.master_data",
)
#: What only a command that opens the database needs.
DATABASE = ("sqlalchemy", "alembic", "plantops.db", "plantops.bootstrap")


def imported(tmp_path: Path, *arguments: str) -> set[str]:
    """The modules ``python -X importtime -m plantops ARGUMENTS`` imports, after checking that it succeeds."""
    env = dict(os.environ, PLANTOPS_DATABASE_URL=f"sqlite:///{tmp_path / 'startup.db'}")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "plantops", *arguments],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}


def loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(p for p in packages if any(m == p or m.startswith(p + ".") for m in modules))


@pytest.mark.parametrize("arguments", [("--help",), ("--version",)], ids=["help", "version"])
def test_help_and_version_import_neither_the_libraries_nor_the_database(
    tmp_path: Path, arguments: tuple[str, ...]
) -> None:
    modules = imported(tmp_path, *arguments)

    assert "plantops.cli" in modules  # the command was run and measured
    assert loaded(modules, HEAVY + DATABASE) == []


def test_stock_onhand_imports_the_database_but_none_of_the_heavy_libraries(tmp_path: Path) -> None:
    imported(tmp_path, "init")

    modules = imported(tmp_path, "stock", "onhand")

    assert "plantops.services.inventory.balances" in modules
    assert loaded(modules, HEAVY) == []

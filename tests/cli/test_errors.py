"""Every refusal of the plantops command is one line naming the field, with exit code 2, never a traceback."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

import plantops.cli
from plantops.services.scheduling.runs import MAX_TIME_LIMIT_S
from tests.cli.conftest import Invoke
from tests.services.minimal_plant import write_plant


def one_line(result: Result) -> str:
    """The single line a refused command prints, after checking its exit code."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.fixture
def plant(run: Invoke, tmp_path: Path) -> Invoke:
    assert run("import", str(write_plant(tmp_path / "plant"))).exit_code == 0
    return run


@pytest.mark.parametrize("limit", ["inf", "nan", str(MAX_TIME_LIMIT_S + 0.5), "1e400"])
def test_schedule_refuses_a_time_limit_beyond_the_bound(plant: Invoke, limit: str) -> None:
    line = one_line(plant("schedule", "--time-limit", limit, "--weeks", "1"))

    assert "--time-limit" in line


def test_schedule_refuses_a_time_limit_of_zero_naming_the_field(plant: Invoke) -> None:
    line = one_line(plant("schedule", "--time-limit", "0", "--weeks", "1"))

    assert "time_limit: must be more than 0 and at most 600 seconds" in line


def test_schedule_accepts_the_bound_itself(plant: Invoke) -> None:
    scheduled = plant("schedule", "--time-limit", str(MAX_TIME_LIMIT_S), "--weeks", "1", "--start", "2026-11-16")

    assert scheduled.exit_code == 0, scheduled.output
    assert "SCH-000001" in scheduled.output


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (("stock", "receive", "BIKE", "P1/FG", "-5"), "quantity: must be greater than 0, got -5"),
        (("stock", "issue", "BIKE", "P1/FG", "-1.5"), "quantity"),
        (("stock", "reserve", "BIKE", "P1/FG", "-2", "--document", "SO-1"), "quantity"),
        (("stock", "receive", "BIKE", "P1/FG", "1,5"), "quantity: '1,5' is not a number"),
        (("plan", "--start", "0001-01-01"), "start: must lie between"),
        (("schedule", "--start", "9999-12-31T00:00+00:00"), "horizon_start: must lie between"),
        (("schedule", "--start", "9999-12-31T23:59-14:00"), "horizon_start: must lie between"),
        (("stock", "atp", "BIKE", "--start", "9999-12-31"), "projection: start: must lie between"),
        (("stock", "atp", "BIKE", "--weeks", "100000000"), "projection: weeks: must be at most 260"),
        (("stock", "value", "--as-of", "9999-12-31T23:59-14:00"), "valuation: as_of: must lie between"),
        (("stock", "value", "--as-of", "0001-01-01T00:00+14:00"), "valuation: as_of: must lie between"),
        (("policy", "--today", "9999-12-31"), "policy: today: must lie between"),
        (("policy", "--history-weeks", "100000000"), "policy: history_weeks: reaches back before 1900-01-01"),
        (("policy", "--horizon-weeks", "100000000"), "policy: horizon_weeks: reaches past 2199-12-31"),
        (("schedule", "show", "--days", "100000000"), "--days"),
        (("schedule", "show", "--width", "100000000"), "--width"),
        (("plan", "show", "BIKE", "--weeks", "-5"), "--weeks"),
        (("stock", "receive", "BIKE", "P1/FG", "1", "--documnt", "GR-1"), "--documnt"),
        (("stock", "onhand", "--limt", "3"), "No such option: --limt"),
    ],
    ids=lambda value: value if isinstance(value, str) else " ".join(value),
)
def test_refused_input_is_one_line_naming_the_field(plant: Invoke, command: tuple[str, ...], field: str) -> None:
    assert field in one_line(plant(*command))


@pytest.mark.parametrize("url", ["foo://x", "not a url", "sqlite+nodriver:///x.db"])
def test_an_unusable_database_url_names_the_setting(run: Invoke, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("PLANTOPS_DATABASE_URL", url)

    assert "PLANTOPS_DATABASE_URL" in one_line(run("stock", "onhand"))


def test_a_setting_of_the_wrong_kind_names_the_setting(run: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANTOPS_ECHO_SQL", "sometimes")

    assert "PLANTOPS_ECHO_SQL" in one_line(run("stock", "onhand"))


def test_export_onto_an_existing_file_is_refused(plant: Invoke, tmp_path: Path) -> None:
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")

    line = one_line(plant("export", str(existing)))

    assert "path:" in line and "is a file" in line
    assert existing.read_text() == "keep me"


@pytest.mark.parametrize("name", ["plant.xlsx", "csv-folder"])
def test_export_to_an_unwritable_path_is_refused(plant: Invoke, tmp_path: Path, name: str) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "file").write_text("")

    line = one_line(plant("export", str(locked / "file" / name)))  # a file cannot hold a folder

    assert "path: cannot write" in line


def test_piped_refusal_prints_no_progress_and_no_traceback(tmp_path: Path) -> None:
    """The command as run from a shell: stdout stays empty, stderr holds one line."""
    env = dict(os.environ, PLANTOPS_DATABASE_URL=f"sqlite:///{tmp_path / 'plant.db'}")
    command = [sys.executable, "-m", "plantops"]
    subprocess.run([*command, "init"], env=env, capture_output=True, check=True, timeout=300)

    refused = subprocess.run(
        [*command, "plan", "--start", "0001-01-01"], env=env, capture_output=True, text=True, timeout=120
    )

    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "start: must lie between" in refused.stderr


def test_every_command_turns_plantops_errors_into_one_line() -> None:
    """Each command and group callback of the CLI is wrapped by ``reports_errors`` (read from the source)."""
    unwrapped, seen = [], 0
    for module in sorted(Path(plantops.cli.__file__).parent.glob("*.py")):
        for function in ast.walk(ast.parse(module.read_text())):
            if not isinstance(function, ast.FunctionDef):
                continue
            decorators = [ast.unparse(d) for d in function.decorator_list]
            registered = any(d.startswith(("app.command", "app.callback")) for d in decorators)
            seen += registered
            if registered and "reports_errors" not in decorators and function.name != "root":
                unwrapped.append(f"{module.name}:{function.name}")

    assert seen > 40  # the commands were found
    assert unwrapped == []

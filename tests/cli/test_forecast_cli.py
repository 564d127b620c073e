"""``plantops forecast`` end to end on the demo plant."""

from __future__ import annotations

import getpass
from pathlib import Path

from tests.cli.conftest import Invoke

FAST = "SeasonalNaive,DynamicOptimizedTheta,CrostonSBA,TSB"


def test_forecast_show_plot_override_versions_and_accuracy(run: Invoke, tmp_path: Path) -> None:
    assert run("demo", "--as-of", "2026-11-16").exit_code == 0

    made = run("forecast", "--horizon", "8", "--models", FAST)
    shown = run("forecast", "show", "BIKE-CITY-M", "--weeks", "4", "--plot", str(tmp_path / "city.png"))
    changed = run(
        "forecast", "override", "BIKE-CITY-M", "--site", "DC-NORTH", "--week", "2026-12-02",
        "--quantity", "55", "--reason", "trade fair",
    )  # fmt: skip
    again = run("forecast", "show", "BIKE-CITY-M", "--site", "DC-NORTH")
    listed = run("forecast", "versions")
    scored = run("forecast", "accuracy")

    assert made.exit_code == 0, made.output
    assert "FC-000001: 10 items at sites forecast for 8 weeks from the week of 2026-11-16, published" in made.output
    assert "Demand: 7 smooth" in made.output
    assert shown.exit_code == 0, shown.output
    assert "BIKE-CITY-M at DC-NORTH: FC-000001 (published), smooth demand" in shown.output
    assert "80 % interval" in shown.output and "95 % interval" in shown.output and "Safety stock hint" in shown.output
    assert (tmp_path / "city.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert changed.exit_code == 0 and "week of 2026-11-30: 55 (statistical" in changed.output
    assert "trade fair" in again.output and "Overrides" in again.output
    [row] = [line for line in listed.output.splitlines() if "FC-000001" in line]
    made_by, published_by = row.split("│")[3], row.split("│")[10]
    assert "2026-11-09" in row and "2026-11-16" in row  # history to, first week
    assert made_by.strip() == published_by.strip() == getpass.getuser()
    assert scored.exit_code == 0 and "0 versions scored" in scored.output


def test_bad_input_is_one_line_naming_the_field(run: Invoke) -> None:
    assert run("demo", "--as-of", "2026-11-16").exit_code == 0

    levels = run("forecast", "--levels", "80,lots")
    horizon = run("forecast", "--horizon", "0")
    unknown = run("forecast", "show", "NO-SUCH-ITEM")
    nothing = run("forecast", "show", "BIKE-CITY-M")

    assert levels.exit_code == 2 and "forecast: levels: '80,lots' is not a list" in levels.output
    assert horizon.exit_code == 2 and "forecast: horizon: must be 1 to 156 weeks, got 0" in horizon.output
    assert unknown.exit_code == 2 and "unknown item 'NO-SUCH-ITEM'" in unknown.output
    assert nothing.exit_code == 2 and "no forecast of BIKE-CITY-M yet: run `plantops forecast` first" in nothing.output

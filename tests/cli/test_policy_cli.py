"""``plantops policy`` end to end on the demo plant."""

from __future__ import annotations

import re

from tests.cli.conftest import Invoke


def test_policy_compute_explain_apply_and_plan(run: Invoke) -> None:
    assert run("demo", "--as-of", "2026-11-16").exit_code == 0

    computed = run("policy", "--today", "2026-11-16", "--items", "BIKE-CITY-M,SPOKE-290,SPARE-PADS-DISC")
    explained = run("policy", "explain", "BIKE-CITY-M", "--site", "DC-NORTH")
    applied = run("policy", "apply", "--items", "BIKE-CITY-M,SPOKE-290")
    again = run("policy", "apply", "--items", "BIKE-CITY-M")
    shown = run("policy", "show", "--items", "BIKE-CITY-M")
    planned = run("plan", "--start", "2026-11-16", "--weeks", "13")

    assert computed.exit_code == 0, computed.output
    # BIKE-CITY-M and SPARE-PADS-DISC at the DC and at the plant their records at the DC name as its source
    assert "POL-000001: 5 policies" in computed.output
    assert re.search(r"│ SPARE-PADS-DISC +│ PLANT-BIKE +│", computed.output)
    assert re.search(r"│ SPARE-PADS-DISC +│ DC-NORTH +│ CZ +│ gamma", computed.output)
    assert explained.exit_code == 0, explained.output
    assert "BIKE-CITY-M at DC-NORTH (POL-000001, reorder point)" in explained.output
    assert "Continuous review: order" in explained.output and "Simulated (20 runs" in explained.output
    assert applied.exit_code == 0, applied.output
    assert re.search(
        r"│ BIKE-CITY-M +│ DC-NORTH +│ none -> \(r, Q\) +│ - -> r \d+ +│ - -> Q \d+ +│ 12 -> \d+",
        applied.output,
    )
    assert re.search(r"│ BIKE-CITY-M +│ PLANT-BIKE +│ none -> \(r, Q\) .*│ 4 -> \d+", applied.output)
    assert re.search(r"│ SPOKE-290 +│ PLANT-BIKE \(new record\) +│ none -> \(r, Q\)", applied.output)
    assert "policies applied, each at its site" in applied.output
    assert (
        again.exit_code == 2 and "BIKE-CITY-M: item: the policy of POL-000001 at DC-NORTH was applied" in again.output
    )
    assert re.search(r"│ BIKE-CITY-M +│ DC-NORTH .*│ yes", shown.output)
    assert planned.exit_code == 0 and "PLAN-000001" in planned.output


def test_policy_methods_and_fill_rate_targets(run: Invoke) -> None:
    assert run("demo", "--as-of", "2026-11-16").exit_code == 0

    periodic = run(
        "policy", "--today", "2026-11-16", "--method", "periodic", "--fill-rate", "0.97", "--items", "MILK-RAW"
    )
    placed = run("policy", "--today", "2026-11-16", "--method", "guaranteed_service", "--items", "BIKE-CITY-M")
    explained = run("policy", "explain", "BIKE-CITY-M", "--no-simulation")

    assert periodic.exit_code == 0, periodic.output
    assert "periodic policies" in periodic.output and "target fill" in periodic.output
    assert placed.exit_code == 0, placed.output
    assert "Guaranteed service across the supply network" in explained.output
    assert "Simulated" not in explained.output


def test_policy_errors_name_the_field(run: Invoke) -> None:
    assert run("init").exit_code == 0

    nothing = run("policy", "apply")
    both = run("policy", "--service-level", "0.9", "--fill-rate", "0.9")
    beyond = run("policy", "--service-level", "1.5")
    unknown = run("policy", "--items", "NOPE")

    assert nothing.exit_code == 2 and "there are no policies yet: run `plantops policy` first" in nothing.output
    assert both.exit_code == 2 and "policy: fill_rate: give either --service-level or --fill-rate" in both.output
    assert beyond.exit_code == 2 and "policy: service_level: must lie between 0 and 1" in beyond.output
    assert unknown.exit_code == 2 and "unknown item 'NOPE'" in unknown.output

"""``plantops demo`` seeds the demo plant, refuses to overwrite data, and replaces on request."""

from __future__ import annotations

from tests.cli.conftest import Invoke


def test_demo_seeds_bikes_and_dairy_and_prints_what_it_holds(run: Invoke) -> None:
    seeded = run("demo", "--as-of", "2026-11-16")
    cream = run("show", "item", "CREAM-RAW")
    skim = run("show", "item", "SKIM-RAW")

    assert seeded.exit_code == 0, seeded.output
    assert "Demo plant (seed 42, as of 2026-11-16)" in seeded.output
    assert "separation" in seeded.output and "items" in seeded.output
    assert "co-product SKIM-RAW" in cream.output and "MILK-RAW x 100" in cream.output
    assert "BOM-SEPARATE" in skim.output and "output" in skim.output  # where used, as a co-product


def test_demo_refuses_a_database_that_holds_data_and_replace_starts_over(run: Invoke) -> None:
    run("demo", "--as-of", "2026-11-16")

    again = run("demo", "--as-of", "2026-11-16")
    replaced = run("demo", "--as-of", "2026-11-16", "--replace")

    assert again.exit_code == 2 and "already holds 94 items" in again.output
    assert replaced.exit_code == 0 and "Demo plant" in replaced.output


def test_replace_refuses_a_database_with_users_work_and_says_what_would_be_lost(run: Invoke) -> None:
    run("demo", "--as-of", "2026-11-16")
    assert run("user", "add", "ann", "--role", "planner", "--machine").exit_code == 0
    assert run("stock", "receive", "BELL", "BIKE-RAW", "3").exit_code == 0

    refused = run("demo", "--as-of", "2026-11-16", "--replace")
    kept = run("user", "list")
    forced = run("demo", "--as-of", "2026-11-16", "--replace", "--force")
    gone = run("user", "list")

    assert refused.exit_code == 2, refused.output
    assert "1 user, 1 stock posting, 2 audit entries" in refused.output and "--force" in refused.output
    assert "ann" in kept.output
    assert forced.exit_code == 0 and "Demo plant" in forced.output
    assert "ann" not in gone.output


def test_synthetic_plant_of_a_given_scale(run: Invoke) -> None:
    seeded = run("demo", "--scale", "300", "--seed", "7", "--as-of", "2026-11-16")

    assert seeded.exit_code == 0, seeded.output
    assert "Synthetic plant of 300 items (seed 7" in seeded.output
    assert "│ items                 │ 300  │" in seeded.output


def test_demo_with_plan_forecasts_sets_policies_plans_and_schedules_the_plant(run: Invoke) -> None:
    seeded = run("demo", "--as-of", "2026-11-16", "--plan")
    exceptions = run("plan", "exceptions", "--limit", "3")
    schedule = run("schedule", "show")

    assert seeded.exit_code == 0, seeded.output
    assert "FC-000001:" in seeded.output and "published to MRP" in seeded.output
    assert "POL-000001:" in seeded.output and "applied" in seeded.output
    assert "PLAN-000001:" in seeded.output and "planned orders" in seeded.output
    assert "SCH-000001:" in seeded.output and "operations of" in seeded.output
    assert exceptions.exit_code == 0 and "PLAN-000001" in exceptions.output
    assert schedule.exit_code == 0 and "SCH-000001" in schedule.output

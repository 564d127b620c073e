"""The CLI on SQLite and PostgreSQL: ``stock verify`` fails on a corrupted ledger, and changes made
through the CLI land in the audit trail under the name of the user who ran it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from plantops.bootstrap import build
from plantops.cli import app
from plantops.config import Settings
from plantops.services.access.audit import STOCK_POSTING, audit_trail
from plantops.vocabulary import AuditAction
from tests.cli.conftest import Invoke
from tests.services.minimal_plant import write_plant

ACTOR = "ann-at-the-terminal"


@pytest.fixture
def plant(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    """The plantops command on the minimal plant, imported through the CLI by ``ACTOR``."""
    monkeypatch.setenv("PLANTOPS_DATABASE_URL", database_url)
    monkeypatch.setenv("LOGNAME", ACTOR)  # the name getpass.getuser() reads first
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args))

    imported = invoke("import", str(write_plant(tmp_path / "plant")))
    assert imported.exit_code == 0, imported.output
    yield invoke


def corrupt(database_url: str, statement: str) -> None:
    """Run one raw SQL statement in a transaction of its own, bypassing PlantOps entirely."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        assert connection.execute(text(statement)).rowcount == 1
    engine.dispose()


def test_verify_exits_non_zero_naming_a_balance_that_no_longer_equals_its_moves(
    plant: Invoke, database_url: str
) -> None:
    assert plant("stock", "verify").exit_code == 0
    corrupt(
        database_url,
        "UPDATE stock_balance SET on_hand = on_hand * 2 WHERE item_id = (SELECT id FROM item WHERE code = 'BIKE')",
    )

    verified = plant("stock", "verify")

    assert verified.exit_code != 0
    assert "Ledger sound" not in verified.output
    assert "BIKE at P1/FG: on-hand 14" in verified.output and "but its moves sum to 7" in verified.output


def test_verify_exits_non_zero_naming_a_reservation_its_balance_disowns(plant: Invoke, database_url: str) -> None:
    assert plant("stock", "reserve", "TUBE", "P1/RM", "50", "--document", "WO-1").exit_code == 0
    corrupt(database_url, "UPDATE stock_reservation SET reserved_quantity = reserved_quantity / 2")

    verified = plant("stock", "verify")

    assert verified.exit_code != 0
    assert "TUBE at P1/RM" in verified.output and "reserved 50" in verified.output
    assert "open reservations hold 25" in verified.output


def test_a_cli_stock_posting_and_a_cli_import_land_in_the_audit_trail_under_the_user(
    plant: Invoke, database_url: str, tmp_path: Path
) -> None:
    received = plant("stock", "receive", "BIKE", "P1/FG", "3", "--document", "GR-9")
    renamed = write_plant(tmp_path / "renamed", {"customers": "code,name\nC1,City Cycles Ltd\n"})
    reimported = plant("import", str(renamed))
    assert received.exit_code == 0 and reimported.exit_code == 0, received.output + reimported.output

    ops = build(Settings(database_url=database_url))
    try:
        postings = audit_trail(ops.uow(), record=STOCK_POSTING, user=ACTOR).entries
        customer = audit_trail(ops.uow(), record="customer", key="C1", user=ACTOR).entries
        everything = audit_trail(ops.uow(), limit=1000).entries
    finally:
        ops.close()

    assert [e.user for e in everything] == [ACTOR] * len(everything)
    assert any(e.action is AuditAction.INSERT and "GR-9" in str(e.after) for e in postings), postings
    update = [e for e in customer if e.action is AuditAction.UPDATE]
    assert len(update) == 1, customer
    assert "City Cycles Ltd" in str(update[0].after) and "City Cycles" in str(update[0].before)

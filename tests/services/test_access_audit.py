"""The audit trail: changes through a unit of work are recorded with who, when, before and after,
and read back by record, user and time, with the stock ledger's postings among them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from plantops.bootstrap import PlantOps
from plantops.db.access import AuditEntry
from plantops.db.sales import Customer
from plantops.errors import ValidationError
from plantops.services import access, master_data
from plantops.services.access.audit import audit_trail
from plantops.services.inventory import stock
from plantops.services.master_data import records
from plantops.vocabulary import AuditAction, Role
from tests.services.minimal_plant import write_plant


@pytest.fixture
def plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    master_data.import_path(ops.uow(), write_plant(tmp_path), posted_by="tester")
    return ops


def test_an_orm_change_is_recorded_with_the_values_before_and_after(ops: PlantOps) -> None:
    access.add_user(ops.uow().acting_as("root"), "alice", roles=[Role.VIEWER], password="long enough pw")
    access.set_roles(ops.uow().acting_as("root"), "alice", [Role.PLANNER])

    trail = audit_trail(ops.uow(), record="user_role").entries
    granted = {e.action: e for e in trail[:2]}  # one flush: granted and taken at the same instant

    assert [e.user for e in trail] == ["root"] * 3
    assert (trail[2].action, trail[2].after) == (AuditAction.INSERT, {"role": "viewer", "user_id": 1})
    assert granted[AuditAction.INSERT].after == {"role": "planner", "user_id": 1}
    assert granted[AuditAction.DELETE].before == {"role": "viewer", "user_id": 1}


def test_secrets_are_never_written_to_the_trail(ops: PlantOps) -> None:
    access.add_user(ops.uow(), "alice", roles=[Role.VIEWER], password="long enough pw")
    token = access.issue_token(ops.uow(), "alice").secret

    [user] = audit_trail(ops.uow(), record="app_user").entries
    [credential] = audit_trail(ops.uow(), record="credential").entries

    assert user.key == "alice" and user.after["password_hash"] == "(secret)"
    assert credential.after["digest"] == "(secret)" and token not in str(credential.after)


def test_an_update_statement_is_recorded_row_by_row_with_the_values_before(plant: PlantOps) -> None:
    with plant.uow().acting_as("erin") as uow:
        uow.session.execute(update(Customer).where(Customer.code == "C1").values(name="City Cycles Ltd"))
        uow.commit()

    [entry] = audit_trail(plant.uow(), record="customer", key="C1").entries

    assert entry.user == "erin" and entry.action is AuditAction.UPDATE
    assert entry.before == {"name": "City Cycles"} and entry.after == {"name": "City Cycles Ltd"}


def test_a_change_rolled_back_leaves_no_entry(plant: PlantOps) -> None:
    with plant.uow() as uow:
        uow.session.execute(update(Customer).values(name="gone"))
    with plant.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_record_updated_through_the_service_keeps_its_version_check(plant: PlantOps) -> None:
    current = records.get_record(plant.uow(), "items", ["BIKE"])
    changed = records.update_record(
        plant.uow().acting_as("frank"),
        "items",
        ["BIKE"],
        {"safety_stock": "9"},
        version=current.version,
        posted_by="frank",
    )

    with pytest.raises(records.StaleRecordError):
        records.update_record(
            plant.uow(), "items", ["BIKE"], {"safety_stock": "1"}, version=current.version, posted_by="x"
        )
    [entry] = audit_trail(plant.uow(), record="item", key="BIKE").entries
    assert changed.values["safety_stock"] == Decimal(9) and changed.version != current.version
    assert entry.user == "frank"
    assert Decimal(entry.before["safety_stock"]) == 5 and Decimal(entry.after["safety_stock"]) == 9


def test_records_created_and_imported_are_recorded_as_inserts(plant: PlantOps) -> None:
    records.create_record(plant.uow().acting_as("gina"), "customers", {"code": "C2", "name": "Velo"}, posted_by="gina")
    sheets = [records.SheetRows("customers", "test", [{"code": "C3", "name": "Barn"}, {"code": "C1", "name": "City"}])]
    records.import_records(plant.uow().acting_as("hal"), sheets, posted_by="hal")

    created = audit_trail(plant.uow(), record="customer", user="gina").entries
    imported = audit_trail(plant.uow(), record="customer", user="hal").entries

    assert [(e.key, e.after["name"]) for e in created] == [("C2", "Velo")]
    assert {(e.action, e.key) for e in imported} == {(AuditAction.INSERT, "C3"), (AuditAction.UPDATE, "C1")}
    [renamed] = [e for e in imported if e.action is AuditAction.UPDATE]
    assert (renamed.before, renamed.after) == ({"name": "City Cycles"}, {"name": "City"})


def test_stock_postings_are_in_the_trail_with_their_moves(plant: PlantOps) -> None:
    posted = stock.receive(
        plant.uow(), stock.StockLine("TUBE", "P1/RM", Decimal(40), "L-7"), stock.Who("ivan", document="PO-1")
    )

    [entry] = audit_trail(plant.uow(), record="stock_posting", user="ivan").entries

    assert entry.key == str(posted.posting_id) and entry.after["document"] == "PO-1"
    assert entry.after["moves"] == [
        {"move_type": "receipt", "item": "TUBE", "location": "P1/RM", "lot": "L-7", "quantity": "40"}
    ]


def test_the_trail_is_filtered_by_time_and_paged_newest_first(ops: PlantOps) -> None:
    for name in ("u1", "u2", "u3"):
        access.add_user(ops.uow().acting_as("root"), name, roles=[Role.VIEWER])
    everything = audit_trail(ops.uow(), record="app_user")
    middle = everything.entries[1].at

    page = audit_trail(ops.uow(), record="app_user", offset=1, limit=1)
    since = audit_trail(ops.uow(), record="app_user", since=middle)
    until = audit_trail(ops.uow(), record="app_user", until=middle)

    assert [e.key for e in everything.entries] == ["u3", "u2", "u1"]
    assert page.total == 3 and [e.key for e in page.entries] == ["u2"]
    assert [e.key for e in since.entries] == ["u3", "u2"]
    assert [e.key for e in until.entries] == ["u1"]


@pytest.mark.parametrize(("field", "kwargs"), [("limit", {"limit": 0}), ("since", {"since": dt.datetime(2026, 1, 1)})])
def test_bad_trail_queries_name_the_field(ops: PlantOps, field: str, kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as raised:
        audit_trail(ops.uow(), **kwargs)  # type: ignore[arg-type]
    assert raised.value.field == field

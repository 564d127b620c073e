"""Changing planned orders, firming and releasing many at once, and acting on exception messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from plantops.bootstrap import PlantOps
from plantops.db.procurement import PurchaseOrder, PurchaseOrderLine
from plantops.db.production import WorkOrder
from plantops.errors import NotFoundError, ValidationError
from plantops.services import master_data
from plantops.services.planning import actions, queries, runs
from plantops.services.planning.problem import PlanRequest
from plantops.vocabulary import PlanExceptionKind, PlannedOrderStatus, PurchaseStatus
from tests.services.minimal_plant import MINIMAL_PLANT, write_plant

START = dt.date(2026, 11, 23)  # a Monday; the plant works Mondays only (its one calendar has Monday shifts)
TWO_SUPPLIERS = {
    "suppliers": MINIMAL_PLANT["suppliers"] + "S2,Tube Two,EUR\nS3,Paint Co,EUR\n",
    "supplier_items": MINIMAL_PLANT["supplier_items"] + "S2,TUBE,T2,3,,,2\n",
}


def _plant(ops: PlantOps, tmp_path: Path, overrides: dict[str, str]) -> PlantOps:
    master_data.import_path(ops.uow(), write_plant(tmp_path, overrides), posted_by="tester")
    runs.run_plan(ops.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    return ops


@pytest.fixture
def busy_plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    """300 bikes due 2026-12-10: the tube on order (PO-1/1, 400 open) is needed a week before it is due."""
    lines = MINIMAL_PLANT["sales_order_lines"].replace("SO-1,1,BIKE,20,", "SO-1,1,BIKE,300,")
    return _plant(ops, tmp_path, {"sales_order_lines": lines, **TWO_SUPPLIERS})


def _order(ops: PlantOps, item: str) -> queries.OrderView:
    _, orders = queries.planned_orders(ops.uow(), item=item)
    return orders[-1]


def _message(ops: PlantOps, kind: PlanExceptionKind, item: str) -> queries.ExceptionView:
    _, found = queries.plan_exceptions(ops.uow(), kind=kind, item=item)
    return found[0]


def test_a_changed_order_is_firm_with_its_release_date_from_the_lead_time(busy_plant: PlantOps) -> None:
    bike = _order(busy_plant, "BIKE")
    same = actions.change(busy_plant.uow(), bike.number, due=bike.due_date)
    assert same.release_date == bike.release_date  # derived as MRP derives it
    tube = _order(busy_plant, "TUBE")

    changed = actions.change(
        busy_plant.uow(), tube.number, quantity=Decimal("400"), due=dt.date(2027, 1, 4), supplier="S2"
    )

    assert (changed.quantity, changed.due_date, changed.supplier) == (400, dt.date(2027, 1, 4), "S2")
    assert changed.status is PlannedOrderStatus.FIRM
    # S2 delivers in 3 working days: three Mondays before 4 January
    assert changed.release_date == dt.date(2026, 12, 14)
    second = runs.run_plan(busy_plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    _, kept = queries.planned_orders(busy_plant.uow(), item="TUBE")
    assert second.firm_orders_kept == 2
    assert any(o.number == tube.number and o.quantity == 400 and o.supplier == "S2" for o in kept)


@pytest.mark.parametrize(
    ("values", "field", "reason"),
    [
        ({"quantity": Decimal(-5)}, "quantity", "must be greater than 0"),
        ({"quantity": Decimal("1e12")}, "quantity", "must be at most"),
        ({"due": dt.date(1800, 1, 1)}, "due", ""),
        ({"supplier": "S9"}, "supplier", "there is no supplier 'S9'"),
        ({"supplier": "S3"}, "supplier", "S3 does not supply TUBE"),
        ({}, "quantity", "nothing to change"),
    ],
)
def test_bad_changes_are_refused_naming_the_field_and_change_nothing(
    busy_plant: PlantOps, values: dict[str, object], field: str, reason: str
) -> None:
    tube = _order(busy_plant, "TUBE")
    with pytest.raises(ValidationError, match=f"planned order: {field}: {reason}"):
        actions.change(busy_plant.uow(), tube.number, **values)  # type: ignore[arg-type]
    assert _order(busy_plant, "TUBE") == tube


def test_only_a_planned_bought_order_changes_its_supplier(busy_plant: PlantOps) -> None:
    with pytest.raises(ValidationError, match="planned order: supplier: only bought items have a supplier"):
        actions.change(busy_plant.uow(), _order(busy_plant, "BIKE").number, supplier="S1")
    tube = _order(busy_plant, "TUBE")
    queries.firm(busy_plant.uow(), tube.number)
    with pytest.raises(ValidationError, match=r"planned order: order: .* is already firm"):
        actions.change(busy_plant.uow(), tube.number, quantity=Decimal(1))


def test_bulk_firm_and_release_are_all_or_nothing(busy_plant: PlantOps) -> None:
    _, frames = queries.planned_orders(busy_plant.uow(), item="FRAME")
    numbers = [o.number for o in frames[:3]]

    with pytest.raises(NotFoundError, match="P1-999"):
        actions.firm_all(busy_plant.uow(), [*numbers, "P1-999"])
    with pytest.raises(ValidationError, match=r"firm: orders: .* named more than once"):
        actions.firm_all(busy_plant.uow(), [numbers[0], numbers[0]])
    _, unchanged = queries.planned_orders(busy_plant.uow(), item="FRAME")
    assert {o.status for o in unchanged} == {PlannedOrderStatus.PLANNED}

    firmed = actions.firm_all(busy_plant.uow(), numbers[:2])
    assert [o.status for o in firmed] == [PlannedOrderStatus.FIRM] * 2
    released = actions.release_all(busy_plant.uow(), numbers, today=START)
    assert [o.released_as for o in released] == [f"WO-{n}" for n in numbers]
    with pytest.raises(ValidationError, match="already released"):
        actions.release_all(busy_plant.uow(), [frames[3].number, numbers[0]], today=START)
    assert _order(busy_plant, "FRAME").status is PlannedOrderStatus.PLANNED  # the last, not released


def test_expediting_moves_the_purchase_order_line_to_the_date_mrp_needs_it(busy_plant: PlantOps) -> None:
    message = _message(busy_plant, PlanExceptionKind.EXPEDITE, "TUBE")
    assert (message.document, message.document_kind, message.actions) == ("PO-1/1", "purchase", ("expedite",))

    with pytest.raises(ValidationError, match=r"exception: action: cancel does not fit .* it allows expedite"):
        actions.act(busy_plant.uow(), message.number, "cancel", today=START)
    done = actions.act(busy_plant.uow(), message.number, "expedite", today=START)

    assert done.message == "PO-1/1 is now due on 2026-11-23"
    with busy_plant.uow() as uow:
        assert uow.session.scalar(select(PurchaseOrderLine.due_date)) == dt.date(2026, 11, 23)
    with pytest.raises(ValidationError, match="PO-1/1 changed since the plan"):
        actions.act(busy_plant.uow(), message.number, "expedite", today=START)


def test_a_message_of_an_earlier_plan_is_not_acted_on(busy_plant: PlantOps) -> None:
    message = _message(busy_plant, PlanExceptionKind.EXPEDITE, "TUBE")
    runs.run_plan(busy_plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")

    with pytest.raises(ValidationError, match=f"{message.number} is not of the plan in force \\(PLAN-000002\\)"):
        actions.act(busy_plant.uow(), message.number, "expedite", today=START)
    with pytest.raises(ValidationError, match="exception: number: 'E1' is no exception number"):
        actions.act(busy_plant.uow(), "E1", "expedite", today=START)
    with pytest.raises(ValidationError, match="exception: action: 'rush' is not one of"):
        actions.act(busy_plant.uow(), message.number, "rush", today=START)


def test_a_planned_order_message_firms_and_releases_its_order(busy_plant: PlantOps) -> None:
    message = _message(busy_plant, PlanExceptionKind.PAST_DUE, "FRAME")
    assert message.actions == ("firm", "release")

    firmed = actions.act(busy_plant.uow(), message.number, "firm", today=START)
    assert firmed.message == f"{message.document} is firm"
    with pytest.raises(ValidationError, match="already firm"):
        actions.act(busy_plant.uow(), message.number, "firm", today=START)
    released = actions.act(busy_plant.uow(), message.number, "release", today=START)
    assert released.message == f"{message.document} is released"


def test_cancelling_refuses_an_order_with_receipts_and_cancels_one_without(ops: PlantOps, tmp_path: Path) -> None:
    """20 bikes: the tube on hand is enough, PO-1/1 is not needed (it has 100 received), nor PO-2/1."""
    purchases = MINIMAL_PLANT["purchase_orders"] + "PO-2,S1,P1,confirmed,2026-11-02\n"
    lines = MINIMAL_PLANT["purchase_order_lines"] + "PO-2,1,TUBE,200,0,2.6,2026-12-07\n"
    _plant(ops, tmp_path, {"purchase_orders": purchases, "purchase_order_lines": lines})
    _, found = queries.plan_exceptions(ops.uow(), kind=PlanExceptionKind.CANCEL)
    by_order = {m.document: m for m in found}

    with pytest.raises(ValidationError, match="PO-1/1 cannot be cancelled: 100 received"):
        actions.act(ops.uow(), by_order["PO-1/1"].number, "cancel", today=START)
    done = actions.act(ops.uow(), by_order["PO-2/1"].number, "cancel", today=START)

    assert done.message == "PO-2 is cancelled"
    with ops.uow() as uow:
        statuses = {n: s for n, s in uow.session.execute(select(PurchaseOrder.number, PurchaseOrder.status))}
    assert statuses == {"PO-1": PurchaseStatus.CONFIRMED, "PO-2": PurchaseStatus.CANCELLED}


def test_expediting_a_work_order_keeps_its_length(ops: PlantOps, tmp_path: Path) -> None:
    works = MINIMAL_PLANT["work_orders"].replace("2026-11-20,2026-11-27", "2026-12-01,2026-12-08")
    _plant(ops, tmp_path, {"work_orders": works})
    message = _message(ops, PlanExceptionKind.EXPEDITE, "FRAME")
    assert (message.document, message.actions) == ("WO-1", ("expedite",))

    actions.act(ops.uow(), message.number, "expedite", today=START)

    with ops.uow() as uow:
        start, due = uow.session.execute(select(WorkOrder.start_date, WorkOrder.due_date)).one()
    assert due == message.need_date and due - start == dt.timedelta(days=7)

"""A buyer's week, end to end: the plan's buys become requisitions and an RFQ, the award becomes purchase
orders, one is received in two parts, its invoice matches, the supplier's on-time rate moves, and the
next MRP run plans the supplier item with the lead time its receipts took."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Item
from plantops.db.procurement import Supplier, SupplierItem
from plantops.services import master_data
from plantops.services.inventory.stock import Who
from plantops.services.planning import runs
from plantops.services.planning.problem import PlanRequest, load_problem
from plantops.services.purchasing import invoices, lifecycle, orders, receiving, requisitions, rfqs, scorecards
from plantops.services.purchasing.invoices import InvoiceLine
from plantops.services.purchasing.receiving import PurchaseArrival
from plantops.services.purchasing.rfqs import QuotationIn, QuotedPrice
from plantops.vocabulary import InvoiceStatus, PurchaseStatus, Role
from tests.services.minimal_plant import write_plant
from tests.services.test_sourcing import START, SUPPLIERS

BUYER = frozenset({Role.ADMIN})


def _at(day: dt.date) -> Who:
    return Who("receiver", effective_at=dt.datetime.combine(day, dt.time(10), dt.UTC))


@pytest.fixture
def plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    master_data.import_path(ops.uow(), write_plant(tmp_path, SUPPLIERS), posted_by="tester")
    return ops


def test_planned_buys_to_a_matched_invoice_a_moved_score_and_a_learned_lead_time(plant: PlantOps) -> None:
    request = PlanRequest(start=START, weeks=8)
    runs.run_plan(plant.uow(), request, run_by="planner")
    made = requisitions.requisitions_from_plan(plant.uow(), due_by=START + dt.timedelta(weeks=8))
    assert made, "the plan buys tube"

    rfq = rfqs.create_rfq(plant.uow(), suppliers=["S1", "S2"], requisitions=[r.number for r in made], today=START)
    for supplier, price in (("S1", "2.5"), ("S2", "2.7")):
        quoted = [QuotedPrice(line.line, Decimal(0), Decimal(price), Decimal(10)) for line in rfq.lines]
        rfqs.enter_quotation(plant.uow(), rfq.number, QuotationIn(supplier, dt.date(2026, 12, 31), quoted), today=START)
    compared = rfqs.comparison(plant.uow(), rfq.number, today=START)
    assert [s.code for s in compared.suppliers if s.cheapest] == ["S1"]
    awarded = rfqs.award(plant.uow(), rfq.number, supplier="S1", today=START)
    [number] = awarded.purchase_orders

    lifecycle.approve(plant.uow(), number, BUYER)
    lifecycle.send(plant.uow(), number, now=dt.datetime.combine(START, dt.time(9), dt.UTC))
    order = orders.purchase_order(plant.uow(), number)
    first = order.lines[0]
    lifecycle.confirm(plant.uow(), number, {first.line: START + dt.timedelta(days=10)})
    half = (first.quantity / 2).quantize(Decimal("0.001"))
    scanned = PurchaseArrival(f"{number}/{first.line}", half, "P1/RM", "L-1")
    receiving.receive(plant.uow(), number, [scanned], _at(START + dt.timedelta(days=9)))
    receiving.receive(
        plant.uow(),
        number,
        [PurchaseArrival(first.line, first.quantity - half, "P1/RM", "L-1")],
        _at(START + dt.timedelta(days=10)),
    )
    assert orders.purchase_order(plant.uow(), number).lines[0].open_quantity == 0

    bill = invoices.enter_invoice(
        plant.uow(),
        supplier="S1",
        number="S1-0001",
        invoice_date=START + dt.timedelta(days=12),
        lines=[InvoiceLine(number, first.line, first.quantity, first.unit_price)],
    )
    assert bill.status is InvoiceStatus.MATCHED
    assert invoices.approve_for_payment(plant.uow(), supplier="S1", number="S1-0001").status is InvoiceStatus.APPROVED

    december = scorecards.scorecard(plant.uow(), "S1", today=dt.date(2026, 12, 31), months=2).months[-1]
    assert december.on_time_in_full == 100.0  # the line due on its confirmed date arrived in full by then

    with plant.uow() as uow:  # the buyer lets MRP learn S1's tube lead time (3 receipts are needed)
        s1_id = select(Supplier.id).where(Supplier.code == "S1").scalar_subquery()
        uow.session.execute(
            update(SupplierItem).where(SupplierItem.supplier_id == s1_id).values(learned_lead_time=True)
        )
        uow.commit()
    third = orders.create_purchase_order(
        plant.uow(), supplier="S1", site="P1", lines=[orders.PurchaseLine("TUBE", Decimal(10), START)], today=START
    ).number
    lifecycle.approve(plant.uow(), third, BUYER)
    lifecycle.send(plant.uow(), third, now=dt.datetime.combine(START, dt.time(9), dt.UTC))
    late = _at(START + dt.timedelta(days=26))
    receiving.receive(plant.uow(), third, [PurchaseArrival(1, Decimal(10), "P1/RM", "L-1")], late)
    assert orders.purchase_order(plant.uow(), third).status is PurchaseStatus.RECEIVED

    with plant.uow() as uow:
        loaded = load_problem(uow.session, request, firm_from_run=None)
        tube = uow.session.scalar(select(Item.id).where(Item.code == "TUBE"))
        s1 = loaded.problem.suppliers
    learned = s1.lead_time[(s1.item == tube) & (s1.rank == 1)].tolist()
    assert learned == [15]  # receipts 9, 10 and 26 days after ordering; the quoted lead time is 10

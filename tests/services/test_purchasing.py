"""Purchase orders from draft to closed: pricing, approval limits, sending, confirming, revisions,
receipts in parts with tolerance and lots, returns, and supplier invoices matched three ways."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Item
from plantops.db.inventory import StockMove, StockPosting
from plantops.engines.sourcing import SupplierTerms, sourcing_split
from plantops.errors import NotFoundError, ValidationError
from plantops.services import master_data
from plantops.services.inventory import balances, valuation
from plantops.services.inventory.stock import Who
from plantops.services.planning.problem import PlanRequest, load_problem
from plantops.services.purchasing import invoices, lifecycle, orders, receiving, scorecards, sourcing_advice
from plantops.services.purchasing.invoices import InvoiceLine
from plantops.services.purchasing.lifecycle import LineChange
from plantops.services.purchasing.orders import PurchaseLine
from plantops.services.purchasing.receiving import PurchaseArrival
from plantops.vocabulary import InvoiceStatus, PurchaseStatus, Role
from tests.services.minimal_plant import MINIMAL_PLANT, write_plant

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
WHO = Who("receiver")
BUYER = frozenset({Role.BUYER})

PURCHASING = {
    "sites": MINIMAL_PLANT["sites"] + "P2,Plant two,plant,Europe/Berlin\n",
    "locations": MINIMAL_PLANT["locations"] + "P2/RM,Raw materials two,P2,storage\n",
    "suppliers": "code,name,currency,over_receipt_tolerance,price_tolerance\n"
    "S1,Steel Co,EUR,0.05,0.02\nS2,Milk Co,EUR,0,0\n",
    "supplier_items": MINIMAL_PLANT["supplier_items"] + "S2,MILK,M-1,1,,,1\n",
    "price_breaks": MINIMAL_PLANT["price_breaks"] + "S2,MILK,0,0.5\n",
    "purchase_approval_limits": "role,max_amount\nbuyer,2000\nadmin,1000000\n",
    "purchase_orders": "number,supplier,site,status,order_date\n",
    "purchase_order_lines": "order,line,item,quantity,received_quantity,unit_price,due_date\n",
}


@pytest.fixture
def plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    """The minimal plant, a second plant P2, S1 delivering tube (5 % over-receipt, 2 % price
    tolerance; 2.6 a kg, 2.4 from 1,000 kg), S2 milk at 0.5; buyers approve up to 2,000."""
    master_data.import_path(ops.uow(), write_plant(tmp_path, PURCHASING), posted_by="tester")
    return ops


def _order(
    plant: PlantOps,
    quantity: str = "500",
    *,
    item: str = "TUBE",
    supplier: str = "S1",
    due: dt.date = dt.date(2026, 12, 4),
    today: dt.date = TODAY,
) -> str:
    return orders.create_purchase_order(
        plant.uow(), supplier=supplier, site="P1", lines=[PurchaseLine(item, Decimal(quantity), due)], today=today
    ).number


def _sent(
    plant: PlantOps,
    quantity: str = "500",
    *,
    item: str = "TUBE",
    supplier: str = "S1",
    due: dt.date = dt.date(2026, 12, 4),
    today: dt.date = TODAY,
) -> str:
    number = _order(plant, quantity, item=item, supplier=supplier, due=due, today=today)
    lifecycle.approve(plant.uow(), number, frozenset({Role.ADMIN}))
    lifecycle.send(plant.uow(), number, now=NOW)
    return number


def _tube(plant: PlantOps, lot: str) -> Decimal:
    return sum(
        (b.on_hand for b in balances.on_hand(plant.uow(), item="TUBE", location="P1/RM") if b.lot == lot),
        Decimal(0),
    )


def test_a_new_order_is_a_draft_priced_from_the_suppliers_valid_price_break(plant: PlantOps) -> None:
    small = orders.purchase_order(plant.uow(), _order(plant, "500"))
    large = orders.purchase_order(plant.uow(), _order(plant, "1200"))

    assert (small.number, large.number) == ("PO-000001", "PO-000002")
    assert small.status is PurchaseStatus.DRAFT and small.revision == 1 and small.currency == "EUR"
    assert small.lines[0].unit_price == Decimal("2.6") and large.lines[0].unit_price == Decimal("2.4")
    assert large.total == Decimal("2880")


def test_an_item_the_supplier_has_no_price_for_needs_its_price(plant: PlantOps) -> None:
    with pytest.raises(ValidationError, match="unit_price: S2 has no price for TUBE"):
        _order(plant, supplier="S2")
    priced = orders.create_purchase_order(
        plant.uow(),
        supplier="S2",
        site="P1",
        lines=[PurchaseLine("TUBE", Decimal(10), dt.date(2026, 12, 4), Decimal("3.1"))],
        today=TODAY,
    )
    assert priced.lines[0].unit_price == Decimal("3.1")


def test_approval_is_refused_above_the_approvers_limit_and_without_one(plant: PlantOps) -> None:
    small, large = _order(plant, "500"), _order(plant, "1200")  # 1,300 and 2,880 EUR

    with pytest.raises(
        ValidationError, match=r"total: PO-000002 totals 2,880.00 EUR, above your approval limit of 2,000"
    ):
        lifecycle.approve(plant.uow(), large, BUYER)
    with pytest.raises(ValidationError, match="status: your roles have no approval limit"):
        lifecycle.approve(plant.uow(), small, frozenset({Role.PLANNER}))
    assert orders.purchase_order(plant.uow(), large).status is PurchaseStatus.DRAFT

    approved = lifecycle.approve(plant.uow(), small, BUYER)
    assert approved.status is PurchaseStatus.APPROVED and approved.approved_by
    assert lifecycle.approve(plant.uow(), large, frozenset({Role.BUYER, Role.ADMIN})).status is PurchaseStatus.APPROVED


def test_an_order_is_sent_only_once_approved_then_confirmed_per_line(plant: PlantOps) -> None:
    number = _order(plant)
    with pytest.raises(ValidationError, match="status: PO-000001 is draft: only an order approved can send"):
        lifecycle.send(plant.uow(), number, now=NOW)
    lifecycle.approve(plant.uow(), number, BUYER)
    sent = lifecycle.send(plant.uow(), number, now=NOW)
    assert sent.status is PurchaseStatus.SENT and sent.sent_at == NOW

    with pytest.raises(ValidationError, match="line: the order has no line 2"):
        lifecycle.confirm(plant.uow(), number, {2: dt.date(2026, 12, 7)})
    confirmed = lifecycle.confirm(plant.uow(), number, {1: dt.date(2026, 12, 7)})
    assert confirmed.status is PurchaseStatus.CONFIRMED and confirmed.lines[0].confirmed_date == dt.date(2026, 12, 7)


def test_a_change_after_sending_is_a_new_revision_that_keeps_the_old_lines(plant: PlantOps) -> None:
    number = _sent(plant)
    with pytest.raises(ValidationError, match="reason: PO-000001 was sent: say why it changes"):
        lifecycle.revise(plant.uow(), number, [LineChange(1, quantity=Decimal(600))], "")

    revised = lifecycle.revise(
        plant.uow(),
        number,
        [LineChange(1, quantity=Decimal(600)), LineChange(None, Decimal(50), dt.date(2026, 12, 9), item="TUBE")],
        "more tube for the rush order",
    )

    assert revised.revision == 2 and [line.quantity for line in revised.lines] == [Decimal(600), Decimal(50)]
    assert [(r.revision, r.reason) for r in revised.revisions] == [(1, "more tube for the rush order")]
    assert revised.status is PurchaseStatus.SENT


def test_receipts_in_two_parts_post_stock_at_the_order_price_and_move_the_order_on(plant: PlantOps) -> None:
    number = _sent(plant)
    before = _tube(plant, "L-9")

    first = receiving.receive(
        plant.uow(), number, [PurchaseArrival(1, Decimal(200), "P1/RM", "L-9", dt.date(2027, 6, 30))], WHO
    )
    assert first.order.status is PurchaseStatus.PARTLY_RECEIVED and first.order.lines[0].received_quantity == 200
    second = receiving.receive(plant.uow(), number, [PurchaseArrival(f"{number}/1", Decimal(300), "P1/RM", "L-9")], WHO)

    assert second.order.status is PurchaseStatus.RECEIVED and second.order.lines[0].open_quantity == 0
    assert _tube(plant, "L-9") - before == 500
    assert second.order.receipts == []  # the answer to a receipt leaves the history out
    history = orders.purchase_order(plant.uow(), number).receipts
    assert [r.quantity for r in history] == [Decimal(200), Decimal(300)]
    with plant.uow() as uow:
        costs = uow.session.execute(
            select(StockMove.unit_cost, StockPosting.source_document)
            .join(StockPosting, StockPosting.id == StockMove.posting_id)
            .where(StockPosting.source_document == number)
        ).all()
    assert costs == [(Decimal("2.6"), number)] * 2


@pytest.mark.parametrize(
    ("arrival", "field", "reason"),
    [
        (PurchaseArrival(1, Decimal("526"), "P1/RM", "L-9"), "quantity", "beyond its tolerance (at most 525 in all)"),
        (PurchaseArrival("PO-000002/1", Decimal(1), "P1/RM", "L-9"), "line", "PO-000002/1 is a line of PO-000002"),
        (PurchaseArrival(2, Decimal(1), "P1/RM", "L-9"), "line", "PO-000001 has no line 2"),
        (PurchaseArrival(1, Decimal(1), "P2/RM", "L-9"), "location", "P2/RM is not a storage place"),
        (PurchaseArrival(1, Decimal(1), "P1/RM"), "lot", "TUBE is lot-tracked: give its lot"),
        (PurchaseArrival(1, Decimal(-1), "P1/RM", "L-9"), "quantity", ""),
    ],
)
def test_a_receipt_beyond_tolerance_or_on_the_wrong_line_or_place_is_refused_and_posts_nothing(
    plant: PlantOps, arrival: PurchaseArrival, field: str, reason: str
) -> None:
    number = _sent(plant)
    _sent(plant, "10")

    with pytest.raises(ValidationError) as refused:
        receiving.receive(plant.uow(), number, [arrival], WHO)

    assert refused.value.field == field and reason in str(refused.value)
    assert orders.purchase_order(plant.uow(), number).lines[0].received_quantity == 0
    assert _tube(plant, "L-9") == 0


def test_within_tolerance_a_line_takes_more_than_ordered(plant: PlantOps) -> None:
    number = _sent(plant)
    received = receiving.receive(plant.uow(), number, [PurchaseArrival(1, Decimal(525), "P1/RM", "L-9")], WHO)
    assert received.order.lines[0].received_quantity == 525 and received.order.status is PurchaseStatus.RECEIVED


def test_no_receipt_against_a_cancelled_or_unsent_order(plant: PlantOps) -> None:
    draft = _order(plant)
    with pytest.raises(ValidationError, match="status: PO-000001 is draft"):
        receiving.receive(plant.uow(), draft, [PurchaseArrival(1, Decimal(1), "P1/RM", "L-9")], WHO)
    lifecycle.cancel(plant.uow(), draft)
    with pytest.raises(ValidationError, match="status: PO-000001 is cancelled"):
        receiving.receive(plant.uow(), draft, [PurchaseArrival(1, Decimal(1), "P1/RM", "L-9")], WHO)


def test_an_order_with_receipts_is_closed_not_cancelled(plant: PlantOps) -> None:
    number = _sent(plant)
    receiving.receive(plant.uow(), number, [PurchaseArrival(1, Decimal(100), "P1/RM", "L-9")], WHO)
    with pytest.raises(ValidationError, match="has received goods on line 1: close it instead"):
        lifecycle.cancel(plant.uow(), number)
    assert lifecycle.close(plant.uow(), number).status is PurchaseStatus.CLOSED


def test_a_return_to_the_supplier_takes_stock_out_with_a_debit_note_and_reopens_the_line(plant: PlantOps) -> None:
    number = _sent(plant)
    receiving.receive(plant.uow(), number, [PurchaseArrival(1, Decimal(500), "P1/RM", "L-9")], WHO)
    with pytest.raises(ValidationError, match="reason: say why"):
        receiving.return_to_supplier(
            plant.uow(), number, line=1, quantity=Decimal(20), location="P1/RM", lot="L-9", reason=" ", who=WHO
        )
    with pytest.raises(ValidationError, match="quantity: line 1 has received 500: 501 cannot go back"):
        receiving.return_to_supplier(
            plant.uow(), number, line=1, quantity=Decimal(501), location="P1/RM", lot="L-9", reason="rust", who=WHO
        )

    back = receiving.return_to_supplier(
        plant.uow(), number, line=1, quantity=Decimal(20), location="P1/RM", lot="L-9", reason="rust", who=WHO
    )

    line = back.order.lines[0]
    assert (line.received_quantity, line.returned_quantity) == (Decimal(480), Decimal(20))
    assert back.order.status is PurchaseStatus.PARTLY_RECEIVED
    last = orders.purchase_order(plant.uow(), number).receipts[-1]
    assert last.quantity == -20 and last.debit_note == f"DN-{number}-1"
    assert _tube(plant, "L-9") == 480


def test_a_bill_for_two_when_one_arrived_is_blocked_until_the_second_arrives(plant: PlantOps) -> None:
    number = _sent(plant, "2")
    receiving.receive(plant.uow(), number, [PurchaseArrival(1, Decimal(1), "P1/RM", "L-9")], WHO)

    bill = invoices.enter_invoice(
        plant.uow(),
        supplier="S1",
        number="INV-77",
        invoice_date=TODAY,
        lines=[InvoiceLine(number, 1, Decimal(2), Decimal("2.6"))],
    )

    assert bill.status is InvoiceStatus.BLOCKED
    assert bill.lines[0].problem == "2 invoiced in all but only 1 received (ordered 2)"
    with pytest.raises(ValidationError, match="status: INV-77 is blocked: line 1: 2 invoiced in all but only 1"):
        invoices.approve_for_payment(plant.uow(), supplier="S1", number="INV-77")

    receiving.receive(plant.uow(), number, [PurchaseArrival(1, Decimal(1), "P1/RM", "L-9")], WHO)
    assert invoices.invoice(plant.uow(), supplier="S1", number="INV-77").status is InvoiceStatus.MATCHED
    paid = invoices.approve_for_payment(plant.uow(), supplier="S1", number="INV-77")
    assert paid.status is InvoiceStatus.APPROVED and paid.approved_by


def test_a_price_beyond_the_tolerance_blocks_the_line_and_says_by_how_much(plant: PlantOps) -> None:
    number = _sent(plant, "100")
    receiving.receive(plant.uow(), number, [PurchaseArrival(1, Decimal(100), "P1/RM", "L-9")], WHO)

    within = invoices.enter_invoice(
        plant.uow(),
        supplier="S1",
        number="A",
        invoice_date=TODAY,
        lines=[InvoiceLine(number, 1, Decimal(50), Decimal("2.65"))],
    )
    beyond = invoices.enter_invoice(
        plant.uow(),
        supplier="S1",
        number="B",
        invoice_date=TODAY,
        lines=[InvoiceLine(number, 1, Decimal(50), Decimal("2.8"))],
    )

    assert within.status is InvoiceStatus.MATCHED and within.lines[0].price_variance == Decimal("2.5")
    assert within.lines[0].variance_goes_to == "stock value"  # TUBE is valued FIFO
    assert beyond.status is InvoiceStatus.BLOCKED
    assert beyond.lines[0].problem == "unit price 2.8 is above the order's 2.6 (7.7%), beyond the tolerance of 2.0%"


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        (InvoiceLine("PO-000002", 1, Decimal(1), Decimal("0.5")), "order", "PO-000002 is an order to another supplier"),
        (InvoiceLine("PO-000001", 3, Decimal(1), Decimal("2.6")), "line", "PO-000001 has no line 3"),
        (InvoiceLine("PO-9", 1, Decimal(1), Decimal("2.6")), "order", "no purchase order PO-9"),
        (InvoiceLine("PO-000001", 1, Decimal(0), Decimal("2.6")), "quantity", ""),
    ],
)
def test_an_invoice_naming_another_suppliers_order_or_a_missing_line_is_refused_whole(
    plant: PlantOps, line: InvoiceLine, field: str, reason: str
) -> None:
    _sent(plant)
    _sent(plant, "10", item="MILK", supplier="S2")

    with pytest.raises(ValidationError) as refused:
        invoices.enter_invoice(plant.uow(), supplier="S1", number="X-1", invoice_date=TODAY, lines=[line])

    assert refused.value.field == field and reason in str(refused.value)
    assert invoices.invoices(plant.uow(), supplier="S1") == []
    assert orders.purchase_order(plant.uow(), "PO-000001").lines[0].invoiced_quantity == 0


def test_the_same_invoice_number_of_a_supplier_is_entered_once(plant: PlantOps) -> None:
    number = _sent(plant)
    line = [InvoiceLine(number, 1, Decimal(1), Decimal("2.6"))]
    invoices.enter_invoice(plant.uow(), supplier="S1", number="INV-1", invoice_date=TODAY, lines=line)
    with pytest.raises(ValidationError, match="number: S1 invoice INV-1 was entered already"):
        invoices.enter_invoice(plant.uow(), supplier="S1", number="INV-1", invoice_date=TODAY, lines=line)
    with pytest.raises(NotFoundError):
        invoices.invoice(plant.uow(), supplier="S1", number="INV-2")


def test_the_order_list_filters_by_status_and_supplier_with_totals(plant: PlantOps) -> None:
    _order(plant, "1200")
    _sent(plant, "10", item="MILK", supplier="S2")

    page = orders.purchase_orders(plant.uow(), supplier="S1")
    sent = orders.purchase_orders(plant.uow(), status=PurchaseStatus.SENT)

    assert [(o.number, o.total, o.lines) for o in page.orders] == [("PO-000001", Decimal(2880), 1)]
    assert [o.number for o in sent.orders] == ["PO-000002"]
    with pytest.raises(ValidationError, match="sort: no column 'price'"):
        orders.purchase_orders(plant.uow(), sort=["price"])


def test_receipts_leave_the_ledger_and_the_lines_in_step(plant: PlantOps) -> None:
    number = _sent(plant)
    for quantity in (100, 150, 250):
        receiving.receive(plant.uow(), number, [PurchaseArrival(1, Decimal(quantity), "P1/RM", "L-9")], WHO)
    with plant.uow() as uow:
        posted = uow.session.scalar(
            select(func.sum(StockMove.quantity))
            .join(StockPosting, StockPosting.id == StockMove.posting_id)
            .where(StockPosting.source_document == number)
        )
    assert posted == orders.purchase_order(plant.uow(), number).lines[0].received_quantity == 500


def _received_on(plant: PlantOps, number: str, quantity: int, day: dt.date) -> None:
    when = dt.datetime.combine(day, dt.time(10), dt.UTC)
    receiving.receive(
        plant.uow(), number, [PurchaseArrival(1, Decimal(quantity), "P1/RM", "L-9")], Who("receiver", effective_at=when)
    )


def test_the_scorecard_scores_only_months_with_something_due_and_names_the_late_line(plant: PlantOps) -> None:
    ordered = dt.date(2026, 11, 10)
    on_time = _sent(plant, "100", today=ordered)
    lifecycle.confirm(plant.uow(), on_time, {1: dt.date(2026, 11, 20)})
    _received_on(plant, on_time, 100, dt.date(2026, 11, 18))
    late = _sent(plant, "100", due=dt.date(2026, 11, 25), today=ordered)
    _received_on(plant, late, 50, dt.date(2026, 11, 24))
    _received_on(plant, late, 50, dt.date(2026, 11, 27))

    card = scorecards.scorecard(plant.uow(), "S1", today=dt.date(2026, 11, 30), months=3)

    september, october, november = card.months
    assert [m.month for m in card.months] == [dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
    assert september.score is None and october.score is None and october.on_time_in_full is None
    assert (november.lines_due, november.on_time_in_full, november.receipts) == (2, 50.0, 3)
    assert november.score == pytest.approx(0.5 * 50 + 0.3 * 100 + 0.2 * 100) and november.poor
    assert november.lead_time_mean == pytest.approx((100 * 8 + 50 * 14 + 50 * 17) / 200)  # ordered on 11-10
    assert [(m.order, m.line) for m in card.missed] == [(late, 1)]
    assert card.warning == "S1 scored 75 in November 2026, on time in full 50 %"
    with pytest.raises(ValidationError, match="months: must be 1 to 60"):
        scorecards.scorecard(plant.uow(), "S1", today=TODAY, months=0)


def test_mrp_plans_a_supplier_item_flagged_to_learn_with_the_lead_time_its_receipts_took(
    ops: PlantOps, tmp_path: Path
) -> None:
    learning = {
        **PURCHASING,
        "supplier_items": "supplier,item,supplier_part_code,lead_time_days,rank,learned_lead_time\n"
        "S1,TUBE,ST-25,10,1,true\nS2,MILK,M-1,1,1,false\n",
    }
    master_data.import_path(ops.uow(), write_plant(tmp_path, learning), posted_by="tester")
    for days in (13, 14, 17):  # 14.67 days on average
        number = _sent(ops, "100", today=dt.date(2026, 11, 1))
        _received_on(ops, number, 100, dt.date(2026, 11, 1) + dt.timedelta(days=days))

    with ops.uow() as uow:
        loaded = load_problem(uow.session, PlanRequest(start=TODAY), firm_from_run=None)
        tube = uow.session.scalar(select(Item.id).where(Item.code == "TUBE"))
    suppliers = loaded.problem.suppliers
    assert suppliers.lead_time[suppliers.item == tube].tolist() == [15]  # whole days, rounded up


def test_sourcing_advice_learns_a_late_suppliers_disruptions_and_prices_each_supplier_alone(
    ops: PlantOps, tmp_path: Path
) -> None:
    two_sources = {
        **PURCHASING,
        "supplier_items": PURCHASING["supplier_items"] + "S2,TUBE,,10,,,2\n",
        "price_breaks": PURCHASING["price_breaks"] + "S2,TUBE,0,2.0\n",
    }
    master_data.import_path(ops.uow(), write_plant(tmp_path, two_sources), posted_by="tester")
    for _ in range(2):  # S2 delivers 20 days late, twice
        number = _sent(ops, "100", supplier="S2", due=dt.date(2026, 10, 11), today=dt.date(2026, 10, 1))
        _received_on(ops, number, 100, dt.date(2026, 10, 31))
    today = dt.date(2026, 12, 7)

    advice = sourcing_advice.advise(ops.uow(), "TUBE", stockout_cost=40, today=today, demand_rate=5000)

    s1, s2 = advice.suppliers
    assert (s1.supplier, s1.disruption_rate, s1.disruption_basis) == (
        "S1",
        0.0,
        "never more than 7 days late in 0 lines",
    )
    assert (s2.supplier, s2.disruption_rate) == ("S2", 2.0) and s2.recovery_rate == pytest.approx(365 / 20)
    assert s2.disruption_basis == "2 of 2 lines over 7 days late"
    expected = sourcing_split(
        [SupplierTerms(2.6, 50.0, 0.0, 1.0), SupplierTerms(2.0, 50.0, 2.0, 365 / 20)], 5000, 40, holding_cost_rate=0.25
    )
    assert [s.share for s in advice.suppliers] == pytest.approx(expected.shares.tolist())
    assert advice.total_cost == pytest.approx(min(s.single_sourcing_cost for s in advice.suppliers))
    assert sum(s.share for s in advice.suppliers) == pytest.approx(1.0)

    calm = sourcing_advice.advise(
        ops.uow(),
        "TUBE",
        stockout_cost=40,
        today=today,
        demand_rate=5000,
        disruptions={"S2": sourcing_advice.Disruption(0.0, 1.0)},
    )
    assert calm.recommended[0].supplier == "S2" and calm.suppliers[1].disruption_basis == "given"
    with pytest.raises(ValidationError, match="disruptions: S9 does not supply TUBE"):
        sourcing_advice.advise(
            ops.uow(), "TUBE", stockout_cost=40, today=today, disruptions={"S9": sourcing_advice.Disruption(1, 1)}
        )
    with pytest.raises(ValidationError, match="demand_rate: nothing of TUBE was consumed"):
        sourcing_advice.advise(ops.uow(), "TUBE", stockout_cost=40, today=today)


def test_an_approved_invoice_values_the_lines_receipts_at_its_price(plant: PlantOps) -> None:
    number = _sent(plant, "100")
    receiving.receive(plant.uow(), number, [PurchaseArrival(1, Decimal(100), "P1/RM", "L-9")], WHO)

    def tube_value() -> Decimal:
        later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
        return valuation.value_inventory(plant.uow(), as_of=later, item="TUBE").items["TUBE"].value

    before = tube_value()
    line = [InvoiceLine(number, 1, Decimal(100), Decimal("2.65"))]  # within S1's 2 % price tolerance
    invoices.enter_invoice(plant.uow(), supplier="S1", number="INV-9", invoice_date=TODAY, lines=line)
    assert tube_value() == before  # entered, not yet approved

    invoices.approve_for_payment(plant.uow(), supplier="S1", number="INV-9")

    assert tube_value() - before == Decimal("5.00")  # 100 kg at 0.05 more, FIFO: the newest layer is on hand

"""Sourcing: requisitions (by hand and from MRP's planned buys), purchase proposals, RFQs with their
quotations, the side-by-side comparison and the award into draft purchase orders."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

import pytest

from plantops.bootstrap import PlantOps
from plantops.errors import ImportRejectedError, NotFoundError, ValidationError
from plantops.services import master_data
from plantops.services.inventory.stock import Who
from plantops.services.planning import queries, runs
from plantops.services.planning.names import receipt_names
from plantops.services.planning.problem import PlanRequest, load_problem
from plantops.services.planning.queries import NoPlanError
from plantops.services.purchasing import lifecycle, orders, receiving, requisitions, rfqs
from plantops.services.purchasing.rfqs import QuotationIn, QuotedPrice, RfqLineIn
from plantops.vocabulary import PlannedOrderStatus, Procurement, PurchaseStatus, RequisitionStatus, RfqStatus, Role
from tests.services.minimal_plant import MINIMAL_PLANT, write_plant

START = dt.date(2026, 11, 23)  # a Monday
DUE = dt.date(2026, 12, 9)  # a Wednesday of week 2026-W50

SUPPLIERS = {
    "suppliers": "code,name,currency\nS1,Steel Co,EUR\nS2,Tube Works,EUR\nS3,Metal AG,EUR\nS9,Never asked,EUR\n",
    "supplier_items": "supplier,item,supplier_part_code,lead_time_days,min_order_quantity,order_multiple,rank\n"
    "S1,TUBE,ST-25,10,,,1\nS2,TUBE,TW-25,12,,,2\nS2,MILK,,1,,,1\n",
    "price_breaks": "supplier,item,min_quantity,unit_price\nS1,TUBE,0,2.6\nS1,TUBE,1000,2.4\nS2,MILK,0,0.5\n",
    # tube sold as a spare part, beyond stock and the open purchase order: MRP plans two buys
    "sales_order_lines": MINIMAL_PLANT["sales_order_lines"]
    + "SO-1,2,TUBE,800,2026-12-21,1\nSO-1,3,TUBE,600,2027-01-04,1\n",
    "purchase_approval_limits": "role,max_amount\nadmin,1000000\n",
}


@pytest.fixture
def plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    """The minimal plant with four suppliers: S1 (rank 1) and S2 supply tube, S2 supplies milk; S9 is never invited."""
    master_data.import_path(ops.uow(), write_plant(tmp_path, SUPPLIERS), posted_by="tester")
    return ops


def _requisition(plant: PlantOps, quantity: int = 400, item: str = "TUBE", supplier: str | None = None) -> str:
    made = requisitions.create_requisition(
        plant.uow(), item=item, site="P1", quantity=Decimal(quantity), due_date=DUE, supplier=supplier
    )
    return made.number


def _rfq(plant: PlantOps, *numbers: str, suppliers: tuple[str, ...] = ("S1", "S2", "S3")) -> str:
    return rfqs.create_rfq(plant.uow(), suppliers=suppliers, requisitions=numbers, today=START).number


def _quote(
    plant: PlantOps,
    number: str,
    supplier: str,
    prices: list[tuple[int, int, str, int]],
    *,
    valid_until: dt.date = dt.date(2026, 12, 31),
    freight: str = "0",
) -> None:
    rfqs.enter_quotation(
        plant.uow(),
        number,
        QuotationIn(
            supplier,
            valid_until,
            [QuotedPrice(line, Decimal(m), Decimal(p), Decimal(d)) for line, m, p, d in prices],
            freight=Decimal(freight),
        ),
        today=START,
    )


def test_a_requisition_by_hand_is_proposed_to_the_items_rank_1_supplier(plant: PlantOps) -> None:
    first = requisitions.create_requisition(
        plant.uow().acting_as("buyer"), item="TUBE", site="P1", quantity=Decimal("12.5"), due_date=DUE
    )
    named = requisitions.create_requisition(
        plant.uow(), item="TUBE", site="P1", quantity=Decimal(5), due_date=DUE, supplier="S2"
    )

    assert (first.number, first.supplier, first.status, first.created_by) == (
        "REQ-000001",
        "S1",
        RequisitionStatus.OPEN,
        "buyer",
    )
    assert (named.number, named.supplier) == ("REQ-000002", "S2")


def test_a_requisition_refuses_bad_input_naming_the_field_and_changes_nothing(plant: PlantOps) -> None:
    with pytest.raises(ValidationError) as refused:
        requisitions.create_requisition(plant.uow(), item="BIKE", site="P1", quantity=Decimal("1.5"), due_date=DUE)
    assert refused.value.field == "quantity"
    with pytest.raises(NotFoundError, match="supplier 'NOPE'"):
        requisitions.create_requisition(
            plant.uow(), item="TUBE", site="P1", quantity=Decimal(1), due_date=DUE, supplier="NOPE"
        )
    with pytest.raises(ValidationError) as refused:
        requisitions.create_requisition(
            plant.uow(), item="TUBE", site="P1", quantity=Decimal(1), due_date=dt.date(1800, 1, 1)
        )
    assert refused.value.field == "due_date"
    assert requisitions.requisitions(plant.uow()).total == 0


def test_only_an_open_requisition_can_be_cancelled(plant: PlantOps) -> None:
    number = _requisition(plant)
    in_rfq = _requisition(plant)
    _rfq(plant, in_rfq)

    assert requisitions.cancel_requisition(plant.uow(), number).status is RequisitionStatus.CANCELLED
    for again in (number, in_rfq):
        with pytest.raises(ValidationError) as refused:
            requisitions.cancel_requisition(plant.uow(), again)
        assert refused.value.field == "status"
    assert requisitions.requisition(plant.uow(), in_rfq).status is RequisitionStatus.IN_RFQ


def test_requisitions_are_listed_by_status_item_supplier_and_site(plant: PlantOps) -> None:
    tube = _requisition(plant)
    milk = _requisition(plant, 50, item="MILK")
    requisitions.cancel_requisition(plant.uow(), tube)

    assert [r.number for r in requisitions.requisitions(plant.uow()).requisitions] == [milk, tube]
    assert [r.number for r in requisitions.requisitions(plant.uow(), status=RequisitionStatus.OPEN).requisitions] == [
        milk
    ]
    assert [r.number for r in requisitions.requisitions(plant.uow(), item="TUBE").requisitions] == [tube]
    assert [r.number for r in requisitions.requisitions(plant.uow(), supplier="S2").requisitions] == [milk]
    assert requisitions.requisitions(plant.uow(), site="P1", sort=["quantity"]).requisitions[0].number == milk
    with pytest.raises(ValidationError) as refused:
        requisitions.requisitions(plant.uow(), sort=["colour"])
    assert refused.value.field == "sort"


def test_planned_buys_become_requisitions_and_the_next_plan_does_not_buy_them_again(plant: PlantOps) -> None:
    request = PlanRequest(start=START, weeks=8)
    runs.run_plan(plant.uow(), request, run_by="tester")
    _, buys = queries.planned_orders(plant.uow(), item="TUBE", kind=Procurement.BUY)
    assert buys, "the minimal plant plans tube to buy"
    last_due = max(order.due_date for order in buys)

    made = requisitions.requisitions_from_plan(plant.uow(), due_by=last_due)

    assert sorted((r.planned_order, r.due_date, r.supplier) for r in made) == sorted(
        (o.number, o.due_date, "S1") for o in buys
    )
    # the planned quantity, rounded up to the gram that kilograms of tube are counted in
    assert sorted(r.quantity for r in made) == sorted(
        o.quantity.quantize(Decimal("0.001"), rounding=ROUND_CEILING) for o in buys
    )
    assert any(o.quantity != o.quantity.quantize(Decimal("0.001")) for o in buys), "a planned buy in finer units"
    done = requisitions.confirm_proposal(
        plant.uow(), supplier="S1", site="P1", week=requisitions.iso_week(made[0].due_date), today=START
    )
    assert orders.purchase_order(plant.uow(), done.purchase_order).lines[0].quantity == made[0].quantity
    released = queries.planned_order(plant.uow(), buys[0].number)
    assert released.status is PlannedOrderStatus.RELEASED
    assert released.released_as == next(r.number for r in made if r.planned_order == buys[0].number)
    assert requisitions.requisitions_from_plan(plant.uow(), due_by=last_due) == []

    runs.run_plan(plant.uow(), request, run_by="tester")
    _, again = queries.planned_orders(plant.uow(), item="TUBE", kind=Procurement.BUY)
    assert [o for o in again if o.due_date <= last_due] == []


def test_a_cancelled_requisition_is_planned_again(plant: PlantOps) -> None:
    request = PlanRequest(start=START, weeks=8)
    runs.run_plan(plant.uow(), request, run_by="tester")
    _, buys = queries.planned_orders(plant.uow(), item="TUBE", kind=Procurement.BUY)
    made = requisitions.requisitions_from_plan(plant.uow(), due_by=buys[0].due_date)
    requisitions.cancel_requisition(plant.uow(), made[0].number)

    runs.run_plan(plant.uow(), request, run_by="tester")
    _, again = queries.planned_orders(plant.uow(), item="TUBE", kind=Procurement.BUY)

    assert any(o.due_date <= buys[0].due_date for o in again)


def test_requisitions_without_a_plan_in_force_are_refused(plant: PlantOps) -> None:
    with pytest.raises(NoPlanError):
        requisitions.requisitions_from_plan(plant.uow(), due_by=DUE)
    assert requisitions.requisitions(plant.uow()).total == 0


def test_a_proposal_groups_by_supplier_and_week_and_confirms_into_one_draft_order(plant: PlantOps) -> None:
    small = _requisition(plant, 400)
    large = _requisition(plant, 1000)
    later = requisitions.create_requisition(
        plant.uow(), item="TUBE", site="P1", quantity=Decimal(10), due_date=DUE + dt.timedelta(days=7)
    ).number
    milk = _requisition(plant, 50, item="MILK")

    found = requisitions.proposals(plant.uow())

    assert [(p.supplier, p.week, [line.requisition for line in p.lines]) for p in found] == [
        ("S1", "2026-W50", [small, large]),
        ("S2", "2026-W50", [milk]),
        ("S1", "2026-W51", [later]),
    ]
    assert found[0].total == Decimal(400) * Decimal("2.6") + Decimal(1000) * Decimal("2.4")

    done = requisitions.confirm_proposal(plant.uow(), supplier="S1", site="P1", week="2026-W50", today=START)

    order = orders.purchase_order(plant.uow(), done.purchase_order)
    assert order.status is PurchaseStatus.DRAFT and order.supplier == "S1"
    assert [(line.quantity, line.unit_price, line.due_date) for line in order.lines] == [
        (Decimal(400), Decimal("2.6"), DUE),
        (Decimal(1000), Decimal("2.4"), DUE),
    ]
    for number in (small, large):
        ordered = requisitions.requisition(plant.uow(), number)
        assert (ordered.status, ordered.purchase_order) == (RequisitionStatus.ORDERED, done.purchase_order)
    assert [p.week for p in requisitions.proposals(plant.uow(), supplier="S1")] == ["2026-W51"]
    with pytest.raises(ValidationError) as refused:
        requisitions.confirm_proposal(plant.uow(), supplier="S1", site="P1", week="2026-W50", today=START)
    assert refused.value.field == "week"


def test_a_proposal_without_a_price_cannot_be_confirmed(plant: PlantOps) -> None:
    number = _requisition(plant, 5, item="TUBE", supplier="S2")  # S2 has no price break for tube

    [proposal] = requisitions.proposals(plant.uow())
    assert not proposal.priced and proposal.lines[0].unit_price is None
    with pytest.raises(ValidationError) as refused:
        requisitions.confirm_proposal(plant.uow(), supplier="S2", site="P1", week="2026-W50", today=START)
    assert refused.value.field == "unit_price"
    assert requisitions.requisition(plant.uow(), number).status is RequisitionStatus.OPEN
    with pytest.raises(ValidationError, match="ISO week"):
        requisitions.confirm_proposal(plant.uow(), supplier="S2", site="P1", week="50", today=START)


def test_an_rfq_invites_two_suppliers_or_more_and_puts_its_requisitions_in_rfq(plant: PlantOps) -> None:
    number = _requisition(plant)
    for suppliers, field in ((["S1"], "suppliers"), (["S1", "S1"], "suppliers")):
        with pytest.raises(ValidationError) as refused:
            rfqs.create_rfq(plant.uow(), suppliers=suppliers, requisitions=[number], today=START)
        assert refused.value.field == field

    made = rfqs.create_rfq(
        plant.uow(),
        suppliers=["S1", "S2"],
        requisitions=[number],
        lines=[RfqLineIn("MILK", Decimal(30), DUE)],
        today=START,
    )

    assert (made.number, made.site, made.status, made.suppliers) == ("RFQ-000001", "P1", RfqStatus.OPEN, ["S1", "S2"])
    assert [(line.line, line.item, line.quantity, line.requisition) for line in made.lines] == [
        (1, "TUBE", Decimal(400), number),
        (2, "MILK", Decimal(30), None),
    ]
    assert requisitions.requisition(plant.uow(), number).status is RequisitionStatus.IN_RFQ
    with pytest.raises(ValidationError) as refused:
        rfqs.create_rfq(plant.uow(), suppliers=["S1", "S2"], requisitions=[number], today=START)
    assert refused.value.field == "requisitions"


def test_cancelling_an_rfq_opens_its_requisitions_again(plant: PlantOps) -> None:
    number = _requisition(plant)
    rfq = _rfq(plant, number)

    assert rfqs.cancel_rfq(plant.uow(), rfq).status is RfqStatus.CANCELLED
    assert requisitions.requisition(plant.uow(), number).status is RequisitionStatus.OPEN


def test_the_comparison_prices_each_line_for_its_quantity_and_marks_the_cheapest(plant: PlantOps) -> None:
    rfq = _rfq(plant, _requisition(plant, 400), _requisition(plant, 100))
    # S1: 2.6 from 0, 2.4 from 300; 14 days; freight 50
    _quote(plant, rfq, "S1", [(1, 0, "2.6", 14), (1, 300, "2.4", 14), (2, 0, "2.6", 14)], freight="50")
    # S2: line 1 only from 500 (bought at 500), line 2 at 2.0; 20 days (late for the due date)
    _quote(plant, rfq, "S2", [(1, 500, "2.0", 20), (2, 0, "2.0", 20)])

    seen = rfqs.comparison(plant.uow(), rfq, today=START)

    line1, line2 = seen.rows
    s1, s2, s3 = line1.cells
    assert (s1.unit_price, s1.bought_quantity, s1.below_minimum, s1.amount) == (
        Decimal("2.4"),
        Decimal(400),
        False,
        Decimal(960),
    )
    assert (s2.unit_price, s2.bought_quantity, s2.below_minimum, s2.amount) == (
        Decimal("2.0"),
        Decimal(500),
        True,
        Decimal(1000),
    )
    assert (s1.arrives_on, s1.on_time) == (START + dt.timedelta(days=14), True)
    assert (s2.arrives_on, s2.on_time) == (START + dt.timedelta(days=20), False)
    assert not s3.quoted and s3.amount is None
    assert (s1.cheapest, s2.cheapest) == (True, False)
    assert [c.cheapest for c in line2.cells] == [False, True, False]
    totals = {c.code: (c.landed_cost, c.complete, c.cheapest) for c in seen.suppliers}
    assert totals == {
        "S1": (Decimal(960 + 260 + 50), True, False),
        "S2": (Decimal(1000 + 200), True, True),
        "S3": (None, False, False),
    }


def test_an_expired_quotation_is_shown_but_not_ranked_or_awarded(plant: PlantOps) -> None:
    rfq = _rfq(plant, _requisition(plant, 400))
    _quote(plant, rfq, "S1", [(1, 0, "2.6", 14)])
    rfqs.enter_quotation(
        plant.uow(),
        rfq,
        QuotationIn("S2", dt.date(2026, 11, 25), [QuotedPrice(1, Decimal(0), Decimal(1), Decimal(5))]),
        today=dt.date(2026, 11, 20),
    )

    seen = rfqs.comparison(plant.uow(), rfq, today=START + dt.timedelta(days=3))

    s1, s2, _ = seen.suppliers
    assert s2.expired and not s2.cheapest and s2.landed_cost == 400
    assert s1.cheapest and seen.rows[0].cells[0].cheapest and not seen.rows[0].cells[1].cheapest
    with pytest.raises(ValidationError, match="expired") as refused:
        rfqs.award(plant.uow(), rfq, supplier="S2", today=START + dt.timedelta(days=3))
    assert refused.value.field == "supplier"
    assert rfqs.rfq(plant.uow(), rfq).status is RfqStatus.OPEN


def test_the_whole_rfq_is_awarded_to_one_supplier_as_one_draft_order(plant: PlantOps) -> None:
    first, second = _requisition(plant, 400), _requisition(plant, 100)
    rfq = _rfq(plant, first, second)
    _quote(plant, rfq, "S1", [(1, 0, "2.6", 14), (1, 300, "2.4", 14), (2, 200, "2.5", 14)])

    done = rfqs.award(plant.uow(), rfq, supplier="S1", today=START)

    assert done.rfq.status is RfqStatus.AWARDED and done.rfq.purchase_orders == done.purchase_orders
    [number] = done.purchase_orders
    order = orders.purchase_order(plant.uow(), number)
    assert (order.supplier, order.rfq, order.status) == ("S1", rfq, PurchaseStatus.DRAFT)
    assert [(line.quantity, line.unit_price) for line in order.lines] == [
        (Decimal(400), Decimal("2.4")),
        (Decimal(200), Decimal("2.5")),  # 100 asked, below S1's minimum of 200: the minimum is bought
    ]
    for req in (first, second):
        assert requisitions.requisition(plant.uow(), req).purchase_order == number


def test_an_rfq_awarded_line_by_line_makes_one_order_per_supplier(plant: PlantOps) -> None:
    first, second = _requisition(plant, 400), _requisition(plant, 100)
    rfq = _rfq(plant, first, second)
    _quote(plant, rfq, "S1", [(1, 0, "2.4", 14), (2, 0, "2.6", 14)])
    _quote(plant, rfq, "S2", [(2, 0, "2.0", 20)])

    done = rfqs.award(plant.uow(), rfq, lines={1: "S1", 2: "S2"}, today=START)

    suppliers = [orders.purchase_order(plant.uow(), n).supplier for n in done.purchase_orders]
    assert suppliers == ["S1", "S2"]
    assert requisitions.requisition(plant.uow(), second).purchase_order == done.purchase_orders[1]


@pytest.mark.parametrize(
    ("award", "field", "reason"),
    [
        ({"supplier": "S2"}, "lines", "did not quote line 2"),
        ({"supplier": "S3"}, "supplier", "no quotation"),
        ({"lines": {1: "S1"}}, "lines", "line 2 is not awarded"),
        ({"lines": {1: "S1", 2: "S9"}}, "supplier", "not invited"),
        ({"lines": {1: "S1", 2: "S1", 3: "S1"}}, "lines", "no line 3"),
    ],
)
def test_an_award_is_refused_naming_the_field_and_changes_nothing(
    plant: PlantOps, award: dict[str, object], field: str, reason: str
) -> None:
    rfq = _rfq(plant, _requisition(plant, 400), _requisition(plant, 100))
    _quote(plant, rfq, "S1", [(1, 0, "2.4", 14), (2, 0, "2.6", 14)])
    _quote(plant, rfq, "S2", [(1, 0, "2.0", 20)])

    with pytest.raises(ValidationError, match=reason) as refused:
        rfqs.award(plant.uow(), rfq, today=START, **award)  # type: ignore[arg-type]

    assert refused.value.field == field
    assert rfqs.rfq(plant.uow(), rfq).status is RfqStatus.OPEN
    assert orders.purchase_orders(plant.uow(), search=rfq).total == 0


def test_an_awarded_or_cancelled_rfq_cannot_be_awarded_or_quoted(plant: PlantOps) -> None:
    rfq = _rfq(plant, _requisition(plant, 400))
    _quote(plant, rfq, "S1", [(1, 0, "2.4", 14)])
    rfqs.award(plant.uow(), rfq, supplier="S1", today=START)
    cancelled = _rfq(plant, _requisition(plant, 10))
    rfqs.cancel_rfq(plant.uow(), cancelled)

    for number in (rfq, cancelled):
        with pytest.raises(ValidationError, match="nothing more to award") as refused:
            rfqs.award(plant.uow(), number, supplier="S1", today=START)
        assert refused.value.field == "status"
        with pytest.raises(ValidationError) as refused:
            _quote(plant, number, "S2", [(1, 0, "2.0", 3)])
        assert refused.value.field == "status"


def test_a_quotation_refuses_an_uninvited_supplier_an_unknown_line_and_a_past_validity(plant: PlantOps) -> None:
    rfq = _rfq(plant, _requisition(plant, 400), suppliers=("S1", "S2"))
    for supplier, prices, valid_until, field in (
        ("S3", [(1, 0, "2", 1)], dt.date(2026, 12, 31), "supplier"),
        ("S1", [(2, 0, "2", 1)], dt.date(2026, 12, 31), "line"),
        ("S1", [(1, 0, "2", 1)], START - dt.timedelta(days=1), "valid_until"),
        ("S1", [(1, 0, "2", 1), (1, 0, "3", 1)], dt.date(2026, 12, 31), "min_quantity"),
        ("S1", [(1, 0, "2", 100_000_000)], dt.date(2026, 12, 31), "lead_time_days"),
    ):
        with pytest.raises(ValidationError) as refused:
            _quote(plant, rfq, supplier, prices, valid_until=valid_until)
        assert refused.value.field == field
    assert rfqs.rfq(plant.uow(), rfq).quotations == []


def test_quotations_from_csv_are_entered_all_or_nothing_with_each_rows_problem(plant: PlantOps) -> None:
    rfq = _rfq(plant, _requisition(plant, 400), _requisition(plant, 100))
    header = "supplier,line,min_quantity,unit_price,lead_time_days,valid_until,freight\n"
    bad = header + "S1,1,0,2.4,14,2026-12-31,50\nS1,2,0,abc,14,2026-12-31,50\n"
    bad += "S3,1,0,2,14,2027-13-01,0\nS9,1,0,2,1,2026-12-31,0\n"

    with pytest.raises(ImportRejectedError) as refused:
        rfqs.import_quotations(plant.uow(), rfq, bad, today=START)
    assert [(p.row, p.field) for p in refused.value.problems] == [(3, "unit_price"), (4, "valid_until")]
    not_invited = header + "S1,1,0,2.4,14,2026-12-31,50\nS9,1,0,2,1,2026-12-31,0\n"
    with pytest.raises(ImportRejectedError) as refused:
        rfqs.import_quotations(plant.uow(), rfq, not_invited, today=START)
    assert [(p.row, p.field) for p in refused.value.problems] == [(3, "supplier")]
    assert rfqs.rfq(plant.uow(), rfq).quotations == []

    good = header + "S1,1,0,2.6,14,2026-12-31,50\nS1,1,300,2.4,14,2026-12-31,50\nS1,2,0,2.6,14,2026-12-31,50\n"
    good += "S2,1,0,2.5,10,2026-12-20,0\n"
    entered = rfqs.import_quotations(plant.uow(), rfq, good, today=START)

    assert [(q.supplier, q.freight, len(q.prices)) for q in entered.quotations] == [
        ("S1", Decimal(50), 3),
        ("S2", Decimal(0), 1),
    ]
    assert rfqs.comparison(plant.uow(), rfq, today=START).suppliers[0].landed_cost == 960 + 260 + 50


def test_rfqs_are_listed_by_status_and_supplier(plant: PlantOps) -> None:
    first = _rfq(plant, _requisition(plant), suppliers=("S1", "S2"))
    second = _rfq(plant, _requisition(plant), suppliers=("S2", "S3"))
    rfqs.cancel_rfq(plant.uow(), first)

    assert [r.number for r in rfqs.rfqs(plant.uow()).rfqs] == [second, first]
    assert [r.number for r in rfqs.rfqs(plant.uow(), status=RfqStatus.OPEN).rfqs] == [second]
    assert [r.number for r in rfqs.rfqs(plant.uow(), supplier="S1").rfqs] == [first]
    assert rfqs.rfqs(plant.uow(), item="TUBE").total == 2


def test_a_requisition_counted_by_mrp_is_named_by_its_number(plant: PlantOps) -> None:
    runs.run_plan(plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    _, buys = queries.planned_orders(plant.uow(), item="TUBE", kind=Procurement.BUY)
    made = requisitions.requisitions_from_plan(plant.uow(), due_by=max(order.due_date for order in buys))

    with plant.uow() as uow:
        loaded = load_problem(uow.session, PlanRequest(start=START, weeks=8), firm_from_run=None)
        named = receipt_names(uow.session, loaded)

    assert {r.number for r in made} <= set(named.values())


def test_the_comparison_warns_of_a_supplier_whose_latest_score_is_poor(plant: PlantOps) -> None:
    late = orders.create_purchase_order(
        plant.uow(),
        supplier="S2",
        site="P1",
        lines=[orders.PurchaseLine("MILK", Decimal(10), dt.date(2026, 11, 10), Decimal("0.5"))],
        today=dt.date(2026, 11, 1),
    ).number
    lifecycle.approve(plant.uow(), late, frozenset({Role.ADMIN}))
    lifecycle.send(plant.uow(), late, now=dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC))
    arrived = Who("receiver", effective_at=dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC))
    receiving.receive(plant.uow(), late, [receiving.PurchaseArrival(1, Decimal(10), "P1/RM")], arrived)
    number = _rfq(plant, _requisition(plant))

    compared = rfqs.comparison(plant.uow(), number, today=dt.date(2026, 12, 1))

    warnings = {column.code: column.warning for column in compared.suppliers}
    assert warnings["S1"] is None and warnings["S3"] is None
    assert warnings["S2"] == "S2 scored 50 in November 2026, on time in full 0 %"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("\r0", "supplier"),  # a lone carriage return: read as a line break, then the columns are missing
        (  # a field beyond the CSV reader's limit
            "supplier,line,min_quantity,unit_price,lead_time_days,valid_until,freight\n" + '"' + "x" * 200_000 + '"\n',
            "file",
        ),
    ],
)
def test_a_quotations_file_the_csv_reader_cannot_take_is_refused_not_a_crash(
    plant: PlantOps, text: str, field: str
) -> None:
    rfq = _rfq(plant, _requisition(plant, 400))

    with pytest.raises(ImportRejectedError) as refused:
        rfqs.import_quotations(plant.uow(), rfq, text, today=START)

    assert field in {p.field for p in refused.value.problems}
    assert rfqs.rfq(plant.uow(), rfq).quotations == []

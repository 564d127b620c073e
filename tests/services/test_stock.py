"""Stock postings through the inventory services, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from plantops.bootstrap import PlantOps
from plantops.db.inventory import StockMove, StockPosting
from plantops.errors import NotFoundError, ValidationError
from plantops.services import master_data
from plantops.services.inventory import balances, genealogy, reservations, stock
from plantops.services.inventory.ledger import InsufficientStockError, MoveLine, Posting, PostingResult, post_moves
from plantops.services.inventory.references import item_ref, location_ref
from plantops.services.inventory.stock import PostingSummary, StockLine, Who
from plantops.vocabulary import MoveType
from tests.services.minimal_plant import MINIMAL_PLANT, write_plant

SECOND_SITE = {
    "sites": MINIMAL_PLANT["sites"] + "DC,Distribution centre,warehouse,Europe/Paris\n",
    "locations": MINIMAL_PLANT["locations"] + "DC/FG,DC stock,DC,storage\nP1/QC,Quality hold,P1,quality\n",
}
WHO = Who("tester", document="DOC-1")


@pytest.fixture
def plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    master_data.import_path(ops.uow(), write_plant(tmp_path, SECOND_SITE), posted_by="tester")
    return ops


def _moves(ops: PlantOps) -> int:
    with ops.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(StockMove)) or 0


def _on_hand(ops: PlantOps, item: str, location: str, lot: str | None = None) -> Decimal:
    found = [b for b in balances.on_hand(ops.uow(), item=item, location=location) if b.lot == lot]
    return found[0].on_hand if found else Decimal(0)


def test_receive_then_issue_changes_on_hand_and_the_ledger_stays_sound(plant: PlantOps) -> None:
    stock.receive(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(5), unit_cost=Decimal(230)), WHO)
    summary = stock.issue(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(8)), WHO)

    assert [(m.move_type.value, m.quantity) for m in summary.moves] == [("issue", Decimal(-8))]
    assert _on_hand(plant, "BIKE", "P1/FG") == 7 + 5 - 8
    check = balances.verify(plant.uow())
    assert check.sound, check.problems
    assert check.moves == _moves(plant)


def test_issuing_more_than_available_states_what_is_available_and_posts_nothing(plant: PlantOps) -> None:
    before = _moves(plant)

    with pytest.raises(InsufficientStockError, match=r"BIKE at P1/FG: quantity: 9 requested but only 7 available"):
        stock.issue(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(9)), WHO)

    assert _moves(plant) == before
    assert _on_hand(plant, "BIKE", "P1/FG") == 7


def test_same_idempotency_key_posts_once_and_returns_the_first_posting(plant: PlantOps) -> None:
    who = Who("tester", document="GR-7", idempotency_key="scanner-42-0001")
    first = stock.receive(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(3)), who)
    second = stock.receive(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(3)), who)

    assert not first.replayed and second.replayed
    assert second.posting_id == first.posting_id
    assert _on_hand(plant, "BIKE", "P1/FG") == 10


@pytest.mark.parametrize(
    ("line", "error", "message"),
    [
        (StockLine("BIKE", "P1/FG", Decimal(-2)), ValidationError, "receipt: quantity: must be greater than 0, got -2"),
        (StockLine("BIKE", "P1/FG", Decimal("1.5")), ValidationError, "1.5 has more decimals than unit pcs allows (0)"),
        (StockLine("TUBE", "P1/RM", Decimal("1.0005")), ValidationError, "unit kg allows (3)"),
        (StockLine("NOPE", "P1/FG", Decimal(1)), NotFoundError, "unknown item 'NOPE'"),
        (StockLine("BIKE", "P9/X", Decimal(1)), NotFoundError, "unknown location 'P9/X'"),
        (StockLine("TUBE", "P1/RM", Decimal(1)), ValidationError, "item TUBE is lot-tracked: give its lot"),
        (StockLine("BIKE", "P1/FG", Decimal(1), lot="L1"), ValidationError, "BIKE is not lot- or serial-tracked"),
        (StockLine("FRAME", "P1/FG", Decimal(2), lot="SN-9"), ValidationError, "serial-tracked: one unit per serial"),
    ],
)
def test_bad_receipt_is_refused_with_field_and_reason_and_posts_nothing(
    plant: PlantOps, line: StockLine, error: type[Exception], message: str
) -> None:
    before = _moves(plant)

    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        stock.receive(plant.uow(), line, WHO)

    assert _moves(plant) == before


def test_move_within_a_site_is_free_but_to_another_site_goes_on_a_transfer_order(plant: PlantOps) -> None:
    stock.move(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(2)), "P1/QC", WHO)
    with pytest.raises(ValidationError, match="stock goes to another site on a transfer order"):
        stock.move(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(2)), "DC/FG", WHO)

    assert (_on_hand(plant, "BIKE", "P1/FG"), _on_hand(plant, "BIKE", "P1/QC"), _on_hand(plant, "BIKE", "DC/FG")) == (
        5,
        2,
        0,
    )


def test_reservations_lower_what_is_available_and_can_never_exceed_on_hand(plant: PlantOps) -> None:
    made = reservations.reserve(
        plant.uow(), item="BIKE", location="P1/FG", quantity=Decimal(5), document="SO-1", user="tester"
    )

    with pytest.raises(InsufficientStockError, match="only 2 available"):
        reservations.reserve(
            plant.uow(), item="BIKE", location="P1/FG", quantity=Decimal(3), document="SO-2", user="tester"
        )
    with pytest.raises(InsufficientStockError, match="only 2 available"):
        stock.issue(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(3)), WHO)
    stock.issue(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(4)), WHO, reservation=made[0].number)
    [after_issue] = reservations.reservations_for(plant.uow(), "SO-1")
    released = reservations.release(plant.uow(), made[0].number)

    assert after_issue.reserved_quantity == 1
    assert released.status.value == "released"
    [balance] = balances.on_hand(plant.uow(), item="BIKE", location="P1/FG")
    assert (balance.on_hand, balance.reserved, balance.available) == (3, 0, 3)
    assert balances.verify(plant.uow()).sound


def test_reservation_of_lots_goes_first_expiry_first_out(plant: PlantOps) -> None:
    for lot, expiry in (("L-LATE", dt.date(2027, 6, 1)), ("L-SOON", dt.date(2027, 1, 1))):
        stock.receive(plant.uow(), StockLine("TUBE", "P1/RM", Decimal(100), lot=lot, expiry=expiry), WHO)

    picks = reservations.pick_suggestion(plant.uow(), item="TUBE", quantity=Decimal(150), site="P1")
    made = reservations.reserve(
        plant.uow(), item="TUBE", location="P1/RM", quantity=Decimal(150), document="WO-1", user="tester"
    )

    assert [(p.lot, p.quantity) for p in picks] == [("L-SOON", 100), ("L-LATE", 50)]
    assert [(r.lot, r.quantity) for r in made] == [("L-SOON", 100), ("L-LATE", 50)]


def test_production_links_consumed_lots_to_produced_lots_both_ways(plant: PlantOps) -> None:
    stock.produce(
        plant.uow(),
        consumed=[StockLine("TUBE", "P1/RM", Decimal("2.5"), lot="L-001")],
        produced=[StockLine("FRAME", "P1/FG", Decimal(1), lot="SN-2", unit_cost=Decimal(80))],
        who=Who("tester", document="WO-1"),
    )

    back = genealogy.trace(plant.uow(), item="FRAME", lot="SN-2", direction="backward")
    forward = genealogy.trace(plant.uow(), item="TUBE", lot="L-001", direction="forward")

    assert [(n.item, n.lot, n.quantity) for n in back.links] == [("TUBE", "L-001", Decimal("2.5"))]
    assert [(n.item, n.lot) for n in forward.links] == [("FRAME", "SN-2")]
    assert _on_hand(plant, "TUBE", "P1/RM", "L-001") == Decimal("248")


def test_reversal_undoes_a_posting_once_and_keeps_both_in_the_ledger(plant: PlantOps) -> None:
    posted = stock.receive(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(4)), WHO)
    reversal = stock.reverse(plant.uow(), posted.posting_id, Who("tester", reason="wrong item scanned"))

    with pytest.raises(ValidationError, match="already reversed"):
        stock.reverse(plant.uow(), posted.posting_id, Who("tester", reason="again"))
    assert [m.quantity for m in reversal.moves] == [Decimal(-4)]
    assert _on_hand(plant, "BIKE", "P1/FG") == 7
    with plant.uow() as uow:
        assert uow.session.get(StockPosting, reversal.posting_id).reverses_posting_id == posted.posting_id  # type: ignore[union-attr]


def test_backdated_move_keeps_when_it_happened(plant: PlantOps) -> None:
    when = dt.datetime(2026, 1, 15, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    posted = stock.receive(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(1)), Who("tester", effective_at=when))

    with plant.uow() as uow:
        stored = uow.session.scalar(select(StockMove.effective_at).where(StockMove.posting_id == posted.posting_id))
    assert stored == when


def test_adjustment_and_scrap_need_a_reason(plant: PlantOps) -> None:
    with pytest.raises(ValidationError, match="adjustment: reason: is required"):
        stock.adjust(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(1)), WHO, increase=False)
    with pytest.raises(ValidationError, match="scrap: reason: is required"):
        stock.scrap(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(1)), WHO)
    stock.adjust(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(2)), Who("t", reason="found in aisle"), increase=True)

    assert _on_hand(plant, "BIKE", "P1/FG") == 9


# --------------------------------------------------------------------------- PostgreSQL's one-statement road


@pytest.fixture
def pg_plant(postgres_ops: PlantOps, tmp_path: Path) -> PlantOps:
    """The same plant on PostgreSQL only: single-line postings take one statement there."""
    master_data.import_path(postgres_ops.uow(), write_plant(tmp_path, SECOND_SITE), posted_by="tester")
    return postgres_ops


def _written(ops: PlantOps, posting_id: int) -> tuple[object, ...]:
    """What a posting wrote, without its id, its instant and its document."""
    with ops.uow() as uow:
        posting = uow.session.get(StockPosting, posting_id)
        assert posting is not None
        moves = uow.session.execute(
            select(
                StockMove.move_type,
                StockMove.item_id,
                StockMove.location_id,
                StockMove.lot_id,
                StockMove.quantity,
                StockMove.unit_cost,
                StockMove.effective_at,
            ).where(StockMove.posting_id == posting_id)
        ).all()
        return posting.posted_by, posting.reason, posting.idempotency_key, [tuple(m) for m in moves]


def test_single_line_postings_write_in_one_statement_what_the_general_road_writes(
    pg_plant: PlantOps, monkeypatch: pytest.MonkeyPatch
) -> None:
    plant = pg_plant
    when = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    postings: list[Callable[[Who], PostingSummary]] = [
        lambda who: stock.receive(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(3), unit_cost=Decimal(231)), who),
        lambda who: stock.receive(plant.uow(), StockLine("TUBE", "P1/RM", Decimal("1.5"), lot="L-001"), who),
        lambda who: stock.issue(plant.uow(), StockLine("TUBE", "P1/RM", Decimal("0.25"), lot="L-001"), who),
        lambda who: stock.scrap(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(1)), who),
        lambda who: stock.adjust(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(2)), who, increase=False),
        lambda who: stock.adjust(plant.uow(), StockLine("MILK", "P1/RM", Decimal("0.125")), who, increase=True),
        lambda who: stock.return_stock(plant.uow(), StockLine("FRAME", "P1/FG", Decimal(1), lot="SN-1"), who),
    ]

    def post_all(tag: str) -> list[PostingSummary]:
        return [post(Who("tester", f"{tag}-{n}", "counted", effective_at=when)) for n, post in enumerate(postings)]

    def general_road(*_: object, **__: object) -> PostingSummary:
        pytest.fail("a plain single-line posting took the general road on PostgreSQL")

    with monkeypatch.context() as one_statement:
        one_statement.setattr(stock, "_post", general_road)
        fast = post_all("ONE")
    monkeypatch.setattr(stock, "single_statement_postings", lambda uow: False)
    general = post_all("GEN")

    def shown(summaries: list[PostingSummary]) -> list[object]:
        return [[(m.move_type, m.item, m.location, m.lot, str(m.quantity)) for m in s.moves] for s in summaries]

    assert shown(fast) == shown(general)
    assert [_written(plant, s.posting_id) for s in fast] == [_written(plant, s.posting_id) for s in general]
    with plant.uow() as uow:
        assert [stock.summarize(uow.session, PostingResult(s.posting_id, [])) for s in fast] == fast
    assert _on_hand(plant, "TUBE", "P1/RM", "L-001") == Decimal("250.5") + 2 * (Decimal("1.5") - Decimal("0.25"))
    assert balances.verify(plant.uow()).sound


def test_a_key_claimed_while_the_statement_ran_replays_the_posting_that_claimed_it(pg_plant: PlantOps) -> None:
    """The statement saw the key free, then a concurrent posting committed it: its insert fails and
    the general road returns that posting, with nothing posted twice."""
    plant = pg_plant
    other = create_engine(plant.settings.database_url)
    outcome: list[PostingSummary] = []
    with other.connect() as rival:
        rival_id = rival.execute(
            text(
                "INSERT INTO stock_posting (idempotency_key, posted_at, posted_by, source_document, reason)"
                " VALUES ('gun-7', now(), 'rival', '', '') RETURNING id"
            )
        ).scalar_one()
        who = Who("tester", idempotency_key="gun-7")
        worker = threading.Thread(
            target=lambda: outcome.append(stock.receive(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(2)), who))
        )
        worker.start()
        for _ in range(500):  # until the receipt waits for the rival's key
            waiting = rival.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar_one()
            if waiting:
                break
            time.sleep(0.01)
        rival.commit()
        worker.join(timeout=30)
    other.dispose()

    assert waiting, "the receipt never waited for the rival's key"
    assert [(s.posting_id, s.replayed) for s in outcome] == [(rival_id, True)]
    assert _on_hand(plant, "BIKE", "P1/FG") == 7
    assert balances.verify(plant.uow()).sound


def test_a_pooled_connection_the_server_closed_is_replaced_before_a_posting_uses_it(pg_plant: PlantOps) -> None:
    plant = pg_plant
    stock.receive(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(1)), WHO)
    with plant.uow() as uow:
        pooled = uow.session.scalar(text("SELECT pg_backend_pid()"))
    admin = create_engine(plant.settings.database_url)
    with admin.connect() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pooled})
    admin.dispose()
    time.sleep(0.1)  # the server's goodbye reaches the pooled socket

    received = stock.receive(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(1)), WHO)

    assert not received.replayed
    assert _on_hand(plant, "BIKE", "P1/FG") == 9


def test_a_transaction_whose_connection_is_lost_before_commit_is_run_again_and_posts_once(pg_plant: PlantOps) -> None:
    plant = pg_plant
    attempts: list[int] = []
    admin = create_engine(plant.settings.database_url)

    def work(session: Session) -> PostingResult:
        attempts.append(len(attempts) + 1)
        bike, place = item_ref(session, "BIKE"), location_ref(session, "P1/FG")
        line = MoveLine(MoveType.RECEIPT, bike.id, place.id, None, Decimal(2))
        result = post_moves(session, Posting("tester"), [line], now=dt.datetime.now(dt.UTC))
        if len(attempts) == 1:
            pid = session.scalar(text("SELECT pg_backend_pid()"))
            with admin.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        session.execute(select(func.count()).select_from(StockMove))  # finds the connection gone the first time
        return result

    before = _moves(plant)
    plant.uow().run(work)
    admin.dispose()

    assert attempts == [1, 2]
    assert _moves(plant) == before + 1
    assert _on_hand(plant, "BIKE", "P1/FG") == 9

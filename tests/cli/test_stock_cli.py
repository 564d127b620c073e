"""``plantops stock`` end to end on the minimal plant: postings, reservations, reports and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.services.minimal_plant import write_plant


@pytest.fixture
def stocked(run: Invoke, tmp_path: Path) -> Invoke:
    assert run("import", str(write_plant(tmp_path / "plant"))).exit_code == 0
    return run


def test_receive_issue_and_onhand(stocked: Invoke) -> None:
    received = stocked("stock", "receive", "BIKE", "P1/FG", "5", "--unit-cost", "230", "--document", "GR-1")
    issued = stocked("stock", "issue", "BIKE", "P1/FG", "2", "--document", "SO-1")
    onhand = stocked("stock", "onhand", "--item", "BIKE")

    assert received.exit_code == 0 and "receipt" in received.output and "BIKE +5 at P1/FG" in received.output
    assert issued.exit_code == 0 and "BIKE -2 at P1/FG" in issued.output
    assert "│ BIKE │ P1   │ P1/FG    │     │        │ 10      │ 0        │ 10        │" in onhand.output


def test_moves_lists_the_ledger_newest_first_by_item_and_type(stocked: Invoke) -> None:
    stocked("stock", "issue", "BIKE", "P1/FG", "2", "--document", "SO-1")

    issues = stocked("stock", "moves", "--item", "BIKE", "--type", "issue")
    unknown = stocked("stock", "moves", "--item", "NOPE")

    assert issues.exit_code == 0 and "Stock moves, newest first" in issues.output
    assert "│ issue │ BIKE │ P1/FG" in issues.output and "SO-1" in issues.output and "-2" in issues.output
    assert unknown.exit_code == 2 and "NOPE" in unknown.output


def test_issue_beyond_available_exits_2_naming_what_is_available(stocked: Invoke) -> None:
    result = stocked("stock", "issue", "BIKE", "P1/FG", "50")

    assert result.exit_code == 2
    assert "item BIKE at P1/FG: quantity: 50 requested but only 7 available" in result.output


def test_same_key_posts_once(stocked: Invoke) -> None:
    first = stocked("stock", "receive", "BIKE", "P1/FG", "1", "--key", "k-1")
    second = stocked("stock", "receive", "BIKE", "P1/FG", "1", "--key", "k-1")

    assert "Posted posting" in first.output and "Already posted as posting" in second.output
    assert "│ 8       │" in stocked("stock", "onhand", "--item", "BIKE").output


def test_reserve_release_and_verify(stocked: Invoke) -> None:
    reserved = stocked("stock", "reserve", "TUBE", "P1/RM", "50", "--document", "WO-1")
    number = reserved.output.strip().rsplit(": ", 1)[1]
    released = stocked("stock", "release", number)
    verified = stocked("stock", "verify")

    assert reserved.exit_code == 0 and "Reserved 50 TUBE at P1/RM lot L-001 for WO-1" in reserved.output
    assert released.exit_code == 0
    assert verified.exit_code == 0 and "Ledger sound" in verified.output


def test_production_of_co_products_links_lots_both_ways(stocked: Invoke) -> None:
    stocked("stock", "receive", "TUBE", "P1/RM", "10", "--lot", "L-NEW", "--expiry", "2027-03-01")
    produced = stocked(
        "stock",
        "produce",
        "--consume",
        "TUBE,P1/RM,2.5,L-NEW",
        "--output",
        "FRAME,P1/FG,1,SN-7",
        "--output",
        "BIKE,P1/FG,1",
        "--document",
        "WO-1",
    )
    forward = stocked("stock", "trace", "TUBE", "L-NEW", "--forward")
    backward = stocked("stock", "trace", "FRAME", "SN-7")

    assert produced.exit_code == 0, produced.output
    assert "production_consumption" in produced.output and "FRAME +1 at P1/FG lot SN-7" in produced.output
    assert "FRAME lot SN-7" in forward.output
    assert "TUBE lot L-NEW  (2.5 consumed)" in backward.output


def test_production_with_a_malformed_line_names_it(stocked: Invoke) -> None:
    result = stocked("stock", "produce", "--consume", "TUBE;P1/RM;1", "--output", "FRAME,P1/FG,1,SN-8")

    assert (
        result.exit_code == 2 and "production: consume: 'TUBE;P1/RM;1' is not ITEM,LOCATION,QTY[,LOT]" in result.output
    )


def test_cycle_count_posts_the_difference(stocked: Invoke) -> None:
    created = stocked("stock", "count", "create", "--location", "P1/FG")
    number = created.output.split("Count list ")[1].split(" ")[0]
    for item, lot, found in (("BIKE", None, "6"), ("FRAME", "SN-1", "1")):
        args = ["stock", "count", "record", number, item, "P1/FG", found] + (["--lot", lot] if lot else [])
        assert stocked(*args).exit_code == 0
    posted = stocked("stock", "count", "post", number)

    assert posted.exit_code == 0, posted.output
    assert "1 of 2 lines adjusted" in posted.output and "BIKE at P1/FG: -1" in posted.output


def test_value_and_atp_reports(stocked: Invoke) -> None:
    value = stocked("stock", "value", "--item", "BIKE")
    atp = stocked("stock", "atp", "BIKE", "--site", "P1", "--start", "2026-11-30", "--weeks", "3")

    assert value.exit_code == 0 and "│ BIKE │ fifo   │ 7        │ 240       │ 1,680.00 │" in value.output
    assert atp.exit_code == 0 and "2026-12-07" in atp.output and "│ 20     │" in atp.output


def test_adjust_without_reason_and_bad_time_are_clear_errors(stocked: Invoke) -> None:
    no_reason = stocked("stock", "adjust", "BIKE", "P1/FG", "1")
    bad_time = stocked("stock", "receive", "BIKE", "P1/FG", "1", "--at", "2026-11-20T10:00")

    assert no_reason.exit_code == 2 and "adjustment: reason: is required" in no_reason.output
    assert bad_time.exit_code == 2 and "has no time zone" in bad_time.output


def test_a_receipt_with_an_expiry_before_today_needs_a_reason(stocked: Invoke) -> None:
    args = ["stock", "receive", "TUBE", "P1/RM", "5", "--lot", "L-OLD", "--expiry", "2020-01-01"]
    refused = stocked(*args)
    accepted = stocked(*args, "--reason", "sample for the lab")

    assert refused.exit_code == 2 and "expiry" in refused.output and "Traceback" not in refused.output
    assert accepted.exit_code == 0, accepted.output


def test_onhand_stops_at_its_limit_and_says_how_many_there_are(stocked: Invoke) -> None:
    cut = stocked("stock", "onhand", "--limit", "1")
    whole = stocked("stock", "onhand", "--format", "csv")

    rows = whole.output.strip().splitlines()[1:]
    assert cut.exit_code == 0 and f"(1 of {len(rows)}; --limit shows more)" in cut.output

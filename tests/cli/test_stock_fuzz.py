"""Fuzzing the stock commands' arguments: any input ends in a result or in one line and exit code 2."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from plantops.cli import app
from tests.services.minimal_plant import write_plant

NUMBERS = st.sampled_from(
    ["1", "0", "-5", "1e30", "-1e30", "NaN", "-inf", "Infinity", "1,5", "1 000", "0.0000001", "1e-7", "١٢", "0x10"]
)
QUANTITIES = st.one_of(
    NUMBERS,
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=20),
)
TEXTS = st.one_of(st.text(max_size=80), st.text(min_size=60, max_size=400), st.sampled_from(["BIKE", "TUBE", "-x"]))
ITEMS = st.one_of(st.sampled_from(["BIKE", "TUBE", "FRAME", "MILK"]), TEXTS)
LOCATIONS = st.one_of(st.sampled_from(["P1/FG", "P1/RM"]), TEXTS)
OPTIONS = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["--lot", "--document", "--key"]), TEXTS),
        st.tuples(st.just("--unit-cost"), QUANTITIES),
        st.tuples(
            st.just("--at"), st.one_of(st.sampled_from(["9999-12-31T23:59-14:00", "0001-01-01T00:00+14:00"]), TEXTS)
        ),
    ),
    max_size=3,
)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The minimal plant in a SQLite file shared by every example."""
    folder = tmp_path_factory.mktemp("fuzz")
    env = {"PLANTOPS_DATABASE_URL": f"sqlite:///{folder / 'fuzz.db'}"}
    imported = CliRunner().invoke(app, ["import", str(write_plant(folder / "plant"))], env=env)
    assert imported.exit_code == 0, imported.output
    yield env


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    command=st.sampled_from(["receive", "issue", "adjust", "scrap", "return", "reserve", "move", "pick"]),
    item=ITEMS,
    location=LOCATIONS,
    quantity=QUANTITIES,
    options=OPTIONS,
)
def test_stock_commands_answer_or_refuse_in_one_line(
    database: dict[str, str], command: str, item: str, location: str, quantity: str, options: list[tuple[str, str]]
) -> None:
    arguments = {
        "move": [item, location, "P1/RM", quantity],
        "pick": [item, quantity],
    }.get(command, [item, location, quantity])
    allowed = {"receive": {"--lot", "--document", "--key", "--unit-cost", "--at"}}.get(
        command, {"--lot", "--document"} if command in ("issue", "reserve") else {"--lot"}
    )
    extra = [part for name, value in options if name in allowed for part in (name, value)]

    result = CliRunner().invoke(app, ["stock", command, *arguments, *extra], env=database)

    assert result.exit_code in (0, 2), (result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert len(result.output.strip("\n").splitlines()) == 1, result.output

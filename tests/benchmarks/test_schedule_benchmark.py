"""The scheduling benchmark keeps its rows across runs and reruns one model's side after a change to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.schedule import __main__ as benchmark


def test_a_rerun_solves_one_model_again_and_keeps_the_others_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = tmp_path / "results.jsonl"
    assert benchmark.main(["--subset", "la01,la02", "--time-limit", "2", "--results", str(results), "--no-write"]) == 0
    first = [json.loads(line) for line in results.read_text().splitlines()]
    assert [row["instance"] for row in first] == ["la01", "la02"]
    assert all(row["plantops"]["makespan"] == row["best_upper"] for row in first)  # both are solved in well under 2 s

    textbook_calls: list[str] = []
    monkeypatch.setitem(benchmark.MODELS, "textbook", lambda instance, *_: textbook_calls.append(instance.name))
    arguments = ["--subset", "la01", "--time-limit", "2", "--results", str(results), "--no-write"]
    assert benchmark.main([*arguments, "--rerun", "plantops"]) == 0
    second = [json.loads(line) for line in results.read_text().splitlines()]
    assert not textbook_calls
    assert [row["instance"] for row in second] == ["la01", "la02"]
    assert second[1] == first[1]
    assert second[0]["textbook"] == first[0]["textbook"]
    assert second[0]["plantops"]["makespan"] == first[0]["best_upper"]
    assert set(second[0]["plantops"]) >= {"commit", "date", "load"}

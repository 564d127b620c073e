"""The public job-shop and flexible job-shop instances in ``../shared/data`` and their best known bounds.

Formats (see ``../shared/data/README.md``): job shop (Fisher & Thompson; Lawrence;
Taillard) is ``jobs machines`` then one line per job of ``machine duration`` pairs,
machines from 0; flexible job shop (Brandimarte) is ``jobs machines average`` then per
job its number of operations and for each operation ``k`` followed by ``k`` pairs
``machine duration``, machines from 1.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
JOBSHOP = DATA / "jobshop"
FJSP = DATA / "fjsp"


@dataclass(frozen=True)
class Instance:
    """``jobs[j][k]`` is the ``k``-th operation of job ``j``: its ``(machine, duration)`` alternatives."""

    name: str
    machines: int
    jobs: tuple[tuple[tuple[tuple[int, int], ...], ...], ...]
    best_upper: int
    best_lower: int
    closed: bool

    @property
    def flexible(self) -> bool:
        return any(len(alternatives) > 1 for job in self.jobs for alternatives in job)

    @property
    def group(self) -> str:
        """ft, la, ta01-10 ... ta71-80, mk."""
        prefix, number = re.fullmatch(r"([a-z]+)(\d+)", self.name).groups()  # type: ignore[union-attr]
        if prefix == "ta":
            first = (int(number) - 1) // 10 * 10 + 1
            return f"ta{first:02d}-{first + 9:02d}"
        return prefix


def _numbers(path: Path) -> list[int]:
    """Whole numbers of the file; the header's average machines per operation (a fraction) is read as 0."""
    return [int(token) if token.isdigit() else 0 for token in path.read_text().split()]


def _bounds(folder: Path) -> dict[str, dict[str, object]]:
    return {row["instance"]: row for row in json.loads((folder / "best_known.json").read_text())}


def read_jobshop(name: str) -> Instance:
    numbers = _numbers(JOBSHOP / f"{name}.txt")
    jobs_count, machines = numbers[0], numbers[1]
    values = iter(numbers[2:])
    jobs = tuple(tuple(((next(values), next(values)),) for _ in range(machines)) for _ in range(jobs_count))
    return _with_bounds(name, machines, jobs, _bounds(JOBSHOP))


def read_fjsp(name: str) -> Instance:
    numbers = _numbers(FJSP / f"{name}.txt")
    jobs_count, machines = numbers[0], numbers[1]
    position = 3
    jobs = []
    for _ in range(jobs_count):
        operations = []
        count = numbers[position]
        position += 1
        for _ in range(count):
            k = numbers[position]
            pairs = numbers[position + 1 : position + 1 + 2 * k]
            operations.append(tuple((pairs[2 * i] - 1, pairs[2 * i + 1]) for i in range(k)))
            position += 1 + 2 * k
        jobs.append(tuple(operations))
    return _with_bounds(name, machines, tuple(jobs), _bounds(FJSP))


def _with_bounds(
    name: str, machines: int, jobs: tuple[tuple[tuple[tuple[int, int], ...], ...], ...], bounds: dict
) -> Instance:
    row = bounds[name]
    return Instance(
        name=name,
        machines=machines,
        jobs=jobs,
        best_upper=int(row["upper_bound"]),
        best_lower=int(row["lower_bound"]),
        closed=row["status"] == "closed",
    )


def all_names() -> list[str]:
    """Every instance, in the order of the table: ft, la, ta, mk."""
    jobshop = sorted(path.stem for path in JOBSHOP.glob("*.txt"))
    order = {"ft": 0, "la": 1, "ta": 2}
    jobshop.sort(key=lambda name: (order[name[:2]], name))
    return jobshop + sorted(path.stem for path in FJSP.glob("*.txt"))


def read(name: str) -> Instance:
    return read_fjsp(name) if name.startswith("mk") else read_jobshop(name)


def select(subset: str | None) -> list[str]:
    """Names matching a comma-separated subset: ``ft``, ``la01-la05``, ``ta01``, ``mk`` (a prefix takes its group)."""
    names = all_names()
    if not subset:
        return names
    chosen: list[str] = []
    for part in (piece.strip() for piece in subset.split(",") if piece.strip()):
        if "-" in part:
            first, last = part.split("-", 1)
            picked = [name for name in names if name[:2] == first[:2] and first <= name <= last]
        elif part in names:
            picked = [part]
        else:
            picked = [name for name in names if name.startswith(part)]
        if not picked:
            raise SystemExit(f"--subset: {part!r} names no instance")
        chosen.extend(name for name in picked if name not in chosen)
    return chosen

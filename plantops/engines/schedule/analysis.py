"""What a schedule implies: the unit of each operation, the setups, utilisation and the critical path."""

from __future__ import annotations

import numpy as np

from plantops.engines.schedule._compiled import I64, NONE, Compiled, Placement

F64 = np.ndarray[tuple[int], np.dtype[np.float64]]


def assign_units(c: Compiled, placement: Placement) -> I64:
    """Units for operations on resources whose units the model did not choose (cumulative resources):
    a pinned operation its own (``frozen_unit``); by start, each other takes the lowest-numbered unit
    free by then (interval-graph colouring, which never needs more units than the most operations
    running at once)."""
    unit = placement.unit.copy()
    pinned = (unit < 0) & (c.frozen_unit >= 0)
    unit[pinned] = c.frozen_unit[pinned]
    resource = c.mode_resource[placement.mode]
    for r in np.unique(resource).tolist():
        members = np.flatnonzero((resource == r) & (unit < 0))
        if not members.size:
            continue
        if c.units[r] == 1:
            unit[members] = 0
            continue
        free_at = np.full(int(c.units[r]), np.iinfo(np.int64).min)
        for i in members[np.lexsort((placement.end[members], placement.start[members]))].tolist():
            free = np.flatnonzero(free_at <= placement.start[i])
            chosen = int(free[0]) if free.size else int(np.argmin(free_at))
            unit[i] = chosen
            free_at[chosen] = placement.end[i]
    return unit


def unit_sequences(c: Compiled, placement: Placement) -> dict[tuple[int, int], I64]:
    """The operations on each ``(resource, unit)``, in start order."""
    resource = c.mode_resource[placement.mode]
    order = np.lexsort((placement.start, placement.unit, resource))
    sequences: dict[tuple[int, int], I64] = {}
    keys = resource[order] * (int(c.units.max(initial=1)) + 1) + placement.unit[order]
    boundaries = np.flatnonzero(np.diff(keys)) + 1
    for chunk in np.split(order, boundaries):
        if chunk.size:
            sequences[(int(resource[chunk[0]]), int(placement.unit[chunk[0]]))] = chunk.astype(np.int64)
    return sequences


def setups(c: Compiled, sequences: dict[tuple[int, int], I64]) -> I64:
    """Setup minutes right before each operation on its unit."""
    minutes = np.zeros(c.operations, np.int64)
    for (resource, _), sequence in sequences.items():
        table = c.setup_minutes(resource)
        if table is None or sequence.size < 2:
            continue
        family_before, family_after = c.family[sequence[:-1]], c.family[sequence[1:]]
        known = (family_before != NONE) & (family_after != NONE)
        values = np.zeros(sequence.size - 1, np.int64)
        values[known] = table[family_before[known], family_after[known]]
        minutes[sequence[1:]] = values
    return minutes


def utilisation(c: Compiled, placement: Placement, makespan: int) -> F64:
    """Working minutes of the operations on each resource / (units x its working minutes in [0, makespan))."""
    resources = len(c.units)
    busy = np.bincount(c.mode_resource[placement.mode], weights=c.mode_minutes[placement.mode], minlength=resources)
    available = np.array(
        [int(c.units[r]) * int(c.calendars[r].worked(makespan)) for r in range(resources)], dtype=np.float64
    )
    result: F64 = np.divide(busy, available, out=np.zeros(resources), where=available > 0)
    return result


def critical_path(c: Compiled, placement: Placement, sequences: dict[tuple[int, int], I64], setup: I64) -> I64:
    """A chain without slack ending at the makespan: from the operation that ends last, step back to a
    predecessor (in its job, or on its unit) whose end, plus lag or setup and the wait for working time,
    is exactly the operation's start; stop at an operation that starts at its release."""
    if c.operations == 0:
        return np.zeros(0, np.int64)
    previous_on_unit = np.full(c.operations, NONE, np.int64)
    for sequence in sequences.values():
        previous_on_unit[sequence[1:]] = sequence[:-1]
    start, end = placement.start, placement.end
    resource = c.mode_resource[placement.mode]
    current = int(np.lexsort((-np.arange(c.operations), end))[-1])
    path = [current]
    seen = {current}
    while True:
        calendar = c.calendars[int(resource[current])]
        candidates = [
            (int(c.before[link]), int(end[c.before[link]] + c.min_lag[link])) for link in c.predecessors[current]
        ]
        if previous_on_unit[current] >= 0:
            before = int(previous_on_unit[current])
            candidates.append((before, int(end[before] + setup[current])))
        tight = [
            before
            for before, ready in candidates
            if before not in seen and int(calendar.next_working(max(ready, int(c.release[current])))) == start[current]
        ]
        if not tight or start[current] == int(calendar.next_working(int(c.release[current]))):
            break
        current = tight[0]
        path.append(current)
        seen.add(current)
    return np.array(path[::-1], dtype=np.int64)


def left_shift(c: Compiled, placement: Placement) -> Placement:
    """The semi-active schedule of the same sequences (Sprecher, Kolisch & Drexl 1995): each operation, in
    order of start, moves to the earliest time its release, predecessors, unit predecessor (with setup) and
    calendar allow, keeping its mode and unit. Nothing starts later than before, so tardiness and makespan
    never get worse; the schedule is returned unchanged where a shift would break a maximum waiting time."""
    sequences = unit_sequences(c, placement)
    setup = setups(c, sequences)
    previous_on_unit = np.full(c.operations, NONE, np.int64)
    for sequence in sequences.values():
        previous_on_unit[sequence[1:]] = sequence[:-1]
    start, end = placement.start.copy(), placement.end.copy()
    for i in np.lexsort((placement.end, placement.start)).tolist():
        if c.frozen_start[i] >= 0:
            continue
        ready = int(c.release[i])
        for link in c.predecessors[i]:
            ready = max(ready, int(end[c.before[link]] + c.min_lag[link]))
        if previous_on_unit[i] >= 0:
            ready = max(ready, int(end[previous_on_unit[i]] + setup[i]))
        m = int(placement.mode[i])
        calendar = c.calendars[int(c.mode_resource[m])]
        s, e = calendar.earliest_run(ready, int(c.mode_minutes[m]), bool(c.interruptible[i]))
        overlapped = [int(c.before[link]) for link in c.predecessors[i] if c.min_lag[link] < 0]
        if s < start[i] and all(e >= end[before] for before in overlapped):
            start[i], end[i] = s, e
    waits = c.has_max_lag
    if (start[c.after[waits]] > end[c.before[waits]] + c.max_lag[waits]).any():
        return placement
    return Placement(start, end, placement.mode, placement.unit)

"""The compiled kernels of :mod:`~plantops.engines.schedule.tabu` (Numba, no GIL): heads and tails of the
disjunctive graph, the N7 moves of a critical path with their estimated makespans, and the tabu search.

The resources' orders are linked lists: ``before[v]`` and ``after[v]`` are the operations right before and
after ``v`` on its resource (-1 at the ends). The precedences are CSR arrays: the predecessors of ``v`` are
``pred[pred_first[v]:pred_first[v + 1]]`` with their minimum lags, likewise the successors.
"""

from __future__ import annotations

import numba
import numpy as np

from plantops.engines.schedule._compiled import I64


@numba.njit(cache=True, nogil=True)
def _job_head(v: int, minutes: I64, release: I64, pred_first: I64, pred: I64, pred_lag: I64, head: I64) -> int:
    """Earliest start of ``v`` from its release and its precedences alone."""
    start = release[v]
    for k in range(pred_first[v], pred_first[v + 1]):
        u = pred[k]
        start = max(start, head[u] + minutes[u] + pred_lag[k])
    return int(start)


@numba.njit(cache=True, nogil=True)
def _job_tail(v: int, minutes: I64, succ_first: I64, succ: I64, succ_lag: I64, tail: I64) -> int:
    """Longest path after the end of ``v`` through its precedences alone."""
    rest = 0
    for k in range(succ_first[v], succ_first[v + 1]):
        w = succ[k]
        rest = max(rest, succ_lag[k] + minutes[w] + tail[w])
    return rest


@numba.njit(cache=True, nogil=True)
def times(
    minutes: I64,
    release: I64,
    pred_first: I64,
    pred: I64,
    pred_lag: I64,
    succ_first: I64,
    succ: I64,
    succ_lag: I64,
    before: I64,
    after: I64,
    head: I64,
    tail: I64,
    order: I64,
    waiting: I64,
) -> int:
    """Heads (earliest starts) and tails (longest path after the end) by a topological sweep; the makespan,
    or -1 when the resource orders and the precedences form a cycle."""
    count = minutes.size
    filled = 0
    for v in range(count):
        waiting[v] = pred_first[v + 1] - pred_first[v] + (1 if before[v] >= 0 else 0)
        if waiting[v] == 0:
            order[filled] = v
            filled += 1
    taken = 0
    while taken < filled:
        v = order[taken]
        taken += 1
        start = _job_head(v, minutes, release, pred_first, pred, pred_lag, head)
        u = before[v]
        head[v] = max(start, head[u] + minutes[u]) if u >= 0 else start
        for k in range(succ_first[v], succ_first[v + 1]):
            w = succ[k]
            waiting[w] -= 1
            if waiting[w] == 0:
                order[filled] = w
                filled += 1
        w = after[v]
        if w >= 0:
            waiting[w] -= 1
            if waiting[w] == 0:
                order[filled] = w
                filled += 1
    if filled < count:
        return -1
    makespan = 0
    for position in range(count - 1, -1, -1):
        v = order[position]
        rest = _job_tail(v, minutes, succ_first, succ, succ_lag, tail)
        w = after[v]
        if w >= 0:
            rest = max(rest, minutes[w] + tail[w])
        tail[v] = rest
        makespan = max(makespan, head[v] + minutes[v] + rest)
    return makespan


FORWARD = 0  # move (u, v, FORWARD): u, earlier on the resource, moves to right after v
BACKWARD = 1  # move (u, v, BACKWARD): v, later on the resource, moves to right before u


@numba.njit(cache=True, nogil=True)
def _unlink(x: int, before: I64, after: I64) -> None:
    a, b = before[x], after[x]
    if a >= 0:
        after[a] = b
    if b >= 0:
        before[b] = a


@numba.njit(cache=True, nogil=True)
def _insert_after(x: int, y: int, before: I64, after: I64) -> None:
    z = after[y]
    after[y], before[x], after[x] = x, y, z
    if z >= 0:
        before[z] = x


@numba.njit(cache=True, nogil=True)
def _insert_before(x: int, y: int, before: I64, after: I64) -> None:
    _insert_after(x, y, after, before)  # before y is after y with the list read backwards


@numba.njit(cache=True, nogil=True)
def _segment(u: int, v: int, kind: int, after: I64, segment: I64) -> int:
    """The operations from ``u`` to ``v`` on their resource in the order the move gives them; their number."""
    length = 0
    x = u
    while True:
        segment[length] = x
        length += 1
        if x == v:
            break
        x = after[x]
    if kind == FORWARD:
        for i in range(length - 1):
            segment[i], segment[i + 1] = segment[i + 1], segment[i]
    else:
        for i in range(length - 1, 0, -1):
            segment[i], segment[i - 1] = segment[i - 1], segment[i]
    return length


@numba.njit(cache=True, nogil=True)
def _estimate(
    segment: I64,
    length: int,
    first: int,
    last: int,
    minutes: I64,
    release: I64,
    pred_first: I64,
    pred: I64,
    pred_lag: I64,
    succ_first: I64,
    succ: I64,
    succ_lag: I64,
    head: I64,
    tail: I64,
    new_head: I64,
) -> int:
    """The makespan of the longest path through the reordered ``segment``, with the heads and tails of the
    other operations as they are (Balas & Vazacopoulos 1998, "Guided local search with shifting bottleneck
    for job shop scheduling", Management Science 44(2): the estimate for moves within a block).
    ``first`` and ``last`` are the operations before and after the segment on the resource (-1: none)."""
    ready = head[first] + minutes[first] if first >= 0 else 0
    for i in range(length):
        x = segment[i]
        ready = max(_job_head(x, minutes, release, pred_first, pred, pred_lag, head), ready)
        new_head[i] = ready
        ready += minutes[x]
    rest = minutes[last] + tail[last] if last >= 0 else 0
    longest = 0
    for i in range(length - 1, -1, -1):
        x = segment[i]
        rest = max(_job_tail(x, minutes, succ_first, succ, succ_lag, tail), rest)
        longest = max(longest, new_head[i] + minutes[x] + rest)
        rest += minutes[x]
    return longest


@numba.njit(cache=True, nogil=True)
def _apply(u: int, v: int, kind: int, before: I64, after: I64) -> int:
    """Make the move; returns the operation next to the moved one on the side it left (to undo it)."""
    if kind == FORWARD:
        anchor = after[u]
        _unlink(u, before, after)
        _insert_after(u, v, before, after)
    else:
        anchor = before[v]
        _unlink(v, before, after)
        _insert_before(v, u, before, after)
    return int(anchor)


@numba.njit(cache=True, nogil=True)
def _undo(u: int, v: int, kind: int, anchor: int, before: I64, after: I64) -> None:
    if kind == FORWARD:
        _unlink(u, before, after)
        _insert_before(u, anchor, before, after)
    else:
        _unlink(v, before, after)
        _insert_after(v, anchor, before, after)


FREE, TABU, NEVER = 0, 1, 2


@numba.njit(cache=True, nogil=True)
def _tabu_status(segment: I64, length: int, kind: int, tabu: I64, now: int) -> int:
    """Whether the reordered ``segment`` puts an operation back before one it was moved away from (``TABU``)
    or repeats a move that closed a cycle (``NEVER``, for the tenure). ``tabu`` rows are ``(a, b, until,
    never)``: until then, ``a`` may not come before ``b``."""
    moved = segment[length - 1] if kind == FORWARD else segment[0]
    status = FREE
    for slot in range(tabu.shape[0]):
        if tabu[slot, 2] < now:
            continue
        for i in range(length):
            x = segment[i]
            if x == moved:
                continue
            if (kind == FORWARD and tabu[slot, 0] == x and tabu[slot, 1] == moved) or (
                kind == BACKWARD and tabu[slot, 0] == moved and tabu[slot, 1] == x
            ):
                if tabu[slot, 3]:
                    return NEVER
                status = TABU
    return status


@numba.njit(cache=True, nogil=True)
def _add_move(moves: I64, found: int, u: int, v: int, kind: int) -> int:
    moves[found, 0], moves[found, 1], moves[found, 2] = u, v, kind
    return found + 1


@numba.njit(cache=True, nogil=True)
def _critical_moves(
    minutes: I64,
    pred_first: I64,
    pred: I64,
    pred_lag: I64,
    before: I64,
    head: I64,
    makespan: int,
    path: I64,
    moves: I64,
) -> tuple[int, int]:
    """The N7 moves of one critical path (picked at random among ties) in ``moves``, the path in ``path``;
    returns how many moves and how long the path is.

    Zhang, Li, Guan & Rao (2007), "A tabu search algorithm with a new neighborhood structure for the job
    shop scheduling problem", Computers & Operations Research 34(11): in each block of the path, an
    operation moves to the block's start or end, or the block's first or last operation moves inside it.
    As in N5, moves that change the start of the path's first block or the end of its last one are left
    out, since they cannot shorten the path."""
    count = minutes.size
    ends = 0
    pick = -1
    for v in range(count):  # a random operation that ends at the makespan (reservoir sampling)
        if head[v] + minutes[v] == makespan:
            ends += 1
            if np.random.randint(ends) == 0:
                pick = v
    length = 0
    v = pick
    while v >= 0:
        path[length] = v
        length += 1
        u = before[v]
        if u >= 0 and head[u] + minutes[u] == head[v]:
            v = u
            continue
        critical = -1
        for k in range(pred_first[v], pred_first[v + 1]):
            w = pred[k]
            if head[w] + minutes[w] + pred_lag[k] == head[v]:
                critical = w
                break
        v = critical
    path[:length] = path[:length][::-1].copy()  # from the start of the schedule to its end
    found = 0
    first = 0
    while first < length:  # blocks: runs of operations that follow each other on one resource
        last = first
        while last + 1 < length and before[path[last + 1]] == path[last]:
            last += 1
        if last > first:
            single = first == 0 and last == length - 1
            front = first > 0 or single  # the block's first operation may change
            back = last < length - 1 or single  # its last operation may change
            b1, bk = path[first], path[last]
            if front:
                for i in range(first + 1, last + 1):  # an operation to the start of the block
                    found = _add_move(moves, found, b1, path[i], BACKWARD)
                for i in range(first + 2, last):  # the first operation further in (past the second: a swap)
                    found = _add_move(moves, found, b1, path[i], FORWARD)
            if back:
                for i in range(first, last):  # an operation to the end of the block
                    if not (front and i == first and last == first + 1):  # the swap of a pair is there already
                        found = _add_move(moves, found, path[i], bk, FORWARD)
                for i in range(first + 1, last - 1):  # the last operation further in (before the one before it)
                    found = _add_move(moves, found, path[i], bk, BACKWARD)
        first = last + 1
    return found, length


@numba.njit(cache=True, nogil=True)
def _first_on(before: I64, resource_of: I64, first_on: I64) -> None:
    """The first operation on every resource (-1: none)."""
    first_on[:] = -1
    for x in range(before.size):
        if before[x] < 0:
            first_on[resource_of[x]] = x


@numba.njit(cache=True, nogil=True)
def _best_reassignment(
    path: I64,
    length: int,
    graph: tuple[I64, I64, I64, I64, I64, I64, I64, I64],
    modes: tuple[I64, I64, I64],
    assignment: tuple[I64, I64, I64, I64],
    banned: I64,
    best: int,
    now: int,
    head: I64,
    tail: I64,
    after: I64,
) -> tuple[int, int, int, int]:
    """The best move of a critical operation to another of its resources: ``(operation, mode, the operation
    it goes right after or -1 for first, estimated makespan)``, operation -1 if there is none.

    Mastrolilli & Gambardella (2000), "Effective neighbourhood functions for the flexible job shop
    problem", Journal of Scheduling 3(1): the operation goes where the longest path through it is
    shortest, estimated from the heads and tails of its new neighbours; positions after an operation
    that follows it, or before one that precedes it, would close a cycle and are left out. A move back
    to a resource the operation recently left is tabu unless it beats the best schedule."""
    minutes, release, pred_first, pred, pred_lag, succ_first, succ, succ_lag = graph
    first_mode, mode_resource, mode_minutes = modes
    _, resource_of, first_on, _ = assignment
    chosen = (-1, -1, -1, np.iinfo(np.int64).max)
    ties = 0
    for i in range(length):
        v = path[i]
        if first_mode[v + 1] - first_mode[v] < 2:
            continue
        ready = _job_head(v, minutes, release, pred_first, pred, pred_lag, head)
        rest = _job_tail(v, minutes, succ_first, succ, succ_lag, tail)
        for m in range(first_mode[v], first_mode[v + 1]):
            k = mode_resource[m]
            if k == resource_of[v]:
                continue
            status = FREE
            for slot in range(banned.shape[0]):
                if banned[slot, 0] == v and banned[slot, 1] == k and banned[slot, 2] >= now:
                    status = NEVER if banned[slot, 3] else TABU
            if status == NEVER:
                continue
            a, b = -1, first_on[k]
            while True:
                if (a < 0 or head[a] < head[v] + minutes[v]) and (b < 0 or head[v] < head[b] + minutes[b]):
                    start = max(ready, head[a] + minutes[a] if a >= 0 else 0)
                    estimate = start + mode_minutes[m] + max(rest, minutes[b] + tail[b] if b >= 0 else 0)
                    if (status == FREE or estimate < best) and estimate <= chosen[3]:
                        ties = 1 if estimate < chosen[3] else ties + 1
                        if ties == 1 or np.random.randint(ties) == 0:
                            chosen = (v, m, a, estimate)
                if b < 0:
                    break
                a, b = b, after[b]
    return chosen


@numba.njit(cache=True, nogil=True)
def _reassign(
    v: int,
    m: int,
    a: int,
    modes: tuple[I64, I64, I64],
    assignment: tuple[I64, I64, I64, I64],
    minutes: I64,
    before: I64,
    after: I64,
) -> tuple[int, int, int]:
    """Put ``v`` in mode ``m``, right after ``a`` on its resource (-1: first); returns its old mode and
    neighbours, for :func:`_restore`."""
    _, mode_resource, mode_minutes = modes
    mode, resource_of, first_on, _ = assignment
    old = (mode[v], before[v], after[v])
    _unlink(v, before, after)
    before[v], after[v] = -1, -1
    if a >= 0:
        _insert_after(v, a, before, after)
    elif first_on[mode_resource[m]] >= 0:
        _insert_before(v, first_on[mode_resource[m]], before, after)
    mode[v], minutes[v], resource_of[v] = m, mode_minutes[m], mode_resource[m]
    return old


@numba.njit(cache=True, nogil=True)
def _restore(
    v: int,
    old: tuple[int, int, int],
    modes: tuple[I64, I64, I64],
    assignment: tuple[I64, I64, I64, I64],
    minutes: I64,
    before: I64,
    after: I64,
) -> None:
    """Undo :func:`_reassign`."""
    _, mode_resource, mode_minutes = modes
    mode, resource_of, _, _ = assignment
    m, first, last = old
    _unlink(v, before, after)
    before[v], after[v] = -1, -1
    if first >= 0:
        _insert_after(v, first, before, after)
    elif last >= 0:
        _insert_before(v, last, before, after)
    mode[v], minutes[v], resource_of[v] = m, mode_minutes[m], mode_resource[m]


@numba.njit(cache=True, nogil=True)
def _keep_if_best(makespan: int, state: I64, orders: tuple[I64, I64, I64, I64], mode: I64, best_mode: I64) -> None:
    """Remember the current schedule if it is the shortest yet."""
    if makespan < state[2]:
        before, after, best_before, best_after = orders
        state[2], state[1] = makespan, state[0]
        best_before[:] = before
        best_after[:] = after
        best_mode[:] = mode


@numba.njit(cache=True, nogil=True)
def _best_sequence_move(
    moves: I64,
    found: int,
    graph: tuple[I64, I64, I64, I64, I64, I64, I64, I64],
    before: I64,
    after: I64,
    head: I64,
    tail: I64,
    scratch: tuple[I64, I64],
    tabu: I64,
    best: int,
    now: int,
) -> tuple[int, int]:
    """The move in ``moves`` with the shortest estimated makespan that is not tabu (or beats ``best``),
    random among ties: ``(index, estimate)``, index -1 if every move is tabu."""
    minutes, release, pred_first, pred, pred_lag, succ_first, succ, succ_lag = graph
    segment, new_head = scratch
    chosen, chosen_estimate, ties = -1, np.iinfo(np.int64).max, 0
    for k in range(found):
        u, v, kind = moves[k, 0], moves[k, 1], moves[k, 2]
        length = _segment(u, v, kind, after, segment)
        estimate = _estimate(
            segment, length, before[u], after[v], minutes, release, pred_first, pred, pred_lag, succ_first, succ,
            succ_lag, head, tail, new_head,
        )  # fmt: skip
        if estimate > chosen_estimate:
            continue
        status = _tabu_status(segment, length, kind, tabu, now)
        if status == NEVER or (status == TABU and estimate >= best):
            continue
        ties = 1 if estimate < chosen_estimate else ties + 1
        if ties == 1 or np.random.randint(ties) == 0:
            chosen, chosen_estimate = k, estimate
    return chosen, chosen_estimate


@numba.njit(cache=True, nogil=True)
def search(
    graph: tuple[I64, I64, I64, I64, I64, I64, I64, I64],
    modes: tuple[I64, I64, I64],
    assignment: tuple[I64, I64, I64, I64],
    orders: tuple[I64, I64, I64, I64],
    tabu: I64,
    banned: I64,
    state: I64,
    work: I64,
    seed: int,
    iterations: int,
    lower_bound: int,
    tenure: int,
    stall: int,
    kick: int,
) -> int:
    """``iterations`` of the tabu search from the current schedule; returns the best makespan so far.

    ``graph`` is the precedences' arrays (minutes first, kept equal to the current modes' minutes);
    ``modes`` is ``(first_mode, mode_resource, mode_minutes)``; ``assignment`` is ``(mode, resource,
    first_on, best_mode)`` per operation (first_on per resource); ``orders`` is ``(before, after,
    best_before, best_after)``. ``tabu`` rows are ``(a, b, until, never)`` (``a`` may not come before
    ``b``), ``banned`` rows ``(operation, resource, until, never)``. ``state`` is ``(iteration, iteration
    of the last better schedule, best makespan)``; ``work`` holds five scratch rows per operation."""
    np.random.seed(seed)
    minutes = graph[0]
    first_mode, mode_resource, mode_minutes = modes
    mode, resource_of, _, best_mode = assignment
    before, after, best_before, best_after = orders
    head, tail, order, waiting, path = work[0], work[1], work[2], work[3], work[4]
    count = minutes.size
    flexible = (first_mode[1:] - first_mode[:-1] > 1).any()
    moves = np.empty((4 * count + 8, 3), np.int64)
    scratch = (np.empty(count, np.int64), np.empty(count, np.int64))
    makespan = times(*graph, before, after, head, tail, order, waiting)
    _keep_if_best(makespan, state, orders, mode, best_mode)
    stale = False
    for _ in range(iterations):
        if state[2] <= lower_bound:
            break
        state[0] += 1
        now = state[0]
        slot = now % tabu.shape[0]
        if now - state[1] > stall:  # restart from the best schedule with a few random critical moves
            before[:] = best_before
            after[:] = best_after
            mode[:] = best_mode
            minutes[:] = mode_minutes[best_mode]
            resource_of[:] = mode_resource[best_mode]
            tabu[:, 2] = -1
            banned[:, 2] = -1
            state[1] = now
            stale = True
            for _kick in range(kick):
                makespan = times(*graph, before, after, head, tail, order, waiting)
                found, _length = _critical_moves(
                    minutes, graph[2], graph[3], graph[4], before, head, makespan, path, moves
                )
                if found == 0:
                    break
                k = np.random.randint(found)
                u, v, kind = moves[k, 0], moves[k, 1], moves[k, 2]
                anchor = _apply(u, v, kind, before, after)
                if times(*graph, before, after, head, tail, order, waiting) < 0:
                    _undo(u, v, kind, anchor, before, after)
        if stale:  # heads and tails are not those of the current schedule
            makespan = times(*graph, before, after, head, tail, order, waiting)
            stale = False
        found, length = _critical_moves(minutes, graph[2], graph[3], graph[4], before, head, makespan, path, moves)
        chosen, estimate = _best_sequence_move(
            moves, found, graph, before, after, head, tail, scratch, tabu, state[2], now
        )
        if flexible:
            _first_on(before, resource_of, assignment[2])
            v, m, a, elsewhere = _best_reassignment(
                path, length, graph, modes, assignment, banned, state[2], now, head, tail, after
            )
            if v >= 0 and (chosen < 0 or elsewhere < estimate or (elsewhere == estimate and np.random.randint(2) == 0)):
                left = resource_of[v]
                old = _reassign(v, m, a, modes, assignment, minutes, before, after)
                makespan = times(*graph, before, after, head, tail, order, waiting)
                if makespan < 0:  # a cycle through the precedences: undo, and leave that resource alone a while
                    _restore(v, old, modes, assignment, minutes, before, after)
                    banned[slot, 0], banned[slot, 1], banned[slot, 2], banned[slot, 3] = (
                        v,
                        mode_resource[m],
                        now + tenure,
                        1,
                    )
                    stale = True
                    continue
                banned[slot, 0], banned[slot, 1], banned[slot, 3] = v, left, 0
                banned[slot, 2] = now + tenure + np.random.randint(tenure + 1)
                _keep_if_best(makespan, state, orders, mode, best_mode)
                continue
        if found == 0:
            break
        if chosen < 0:  # every move is tabu: take one at random
            chosen = np.random.randint(found)
        u, v, kind = moves[chosen, 0], moves[chosen, 1], moves[chosen, 2]
        anchor = _apply(u, v, kind, before, after)
        makespan = times(*graph, before, after, head, tail, order, waiting)
        if makespan < 0:  # a cycle through the precedences: undo, and forbid the move for a while
            _undo(u, v, kind, anchor, before, after)
            tabu[slot, 0], tabu[slot, 1], tabu[slot, 2], tabu[slot, 3] = v, u, now + tenure, 1
            stale = True
            continue
        # moving back is tabu: the moved operation before the one it passed first (forward), or after it
        if kind == FORWARD:
            tabu[slot, 0], tabu[slot, 1] = u, anchor
        else:
            tabu[slot, 0], tabu[slot, 1] = anchor, v
        tabu[slot, 2], tabu[slot, 3] = now + tenure + np.random.randint(tenure + 1), 0
        _keep_if_best(makespan, state, orders, mode, best_mode)
    return int(state[2])

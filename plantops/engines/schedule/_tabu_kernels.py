"""The compiled kernels of :mod:`~plantops.engines.schedule.tabu` (Numba, no GIL): heads and tails of the
disjunctive graph, the N5 moves of a critical path and the tabu search itself.

The resources' orders are linked lists: ``before[v]`` and ``after[v]`` are the operations right before and
after ``v`` on its resource (-1 at the ends). The precedences are CSR arrays: the predecessors of ``v`` are
``pred[pred_first[v]:pred_first[v + 1]]`` with their minimum lags, likewise the successors.
"""

from __future__ import annotations

import numba
import numpy as np

from plantops.engines.schedule._compiled import I64


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
        start = release[v]
        for k in range(pred_first[v], pred_first[v + 1]):
            u = pred[k]
            start = max(start, head[u] + minutes[u] + pred_lag[k])
        u = before[v]
        if u >= 0:
            start = max(start, head[u] + minutes[u])
        head[v] = start
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
        rest = 0
        for k in range(succ_first[v], succ_first[v + 1]):
            w = succ[k]
            rest = max(rest, succ_lag[k] + minutes[w] + tail[w])
        w = after[v]
        if w >= 0:
            rest = max(rest, minutes[w] + tail[w])
        tail[v] = rest
        makespan = max(makespan, head[v] + minutes[v] + rest)
    return makespan


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
def _swap(u: int, v: int, before: I64, after: I64) -> None:
    """Put ``v`` right before ``u`` on their resource (``v`` was right after ``u``)."""
    first, last = before[u], after[v]
    if first >= 0:
        after[first] = v
    before[v] = first
    after[v] = u
    before[u] = v
    after[u] = last
    if last >= 0:
        before[last] = u


@numba.njit(cache=True, nogil=True)
def _critical_moves(
    minutes: I64,
    release: I64,
    pred_first: I64,
    pred: I64,
    pred_lag: I64,
    before: I64,
    head: I64,
    makespan: int,
    path: I64,
    moves: I64,
) -> int:
    """The N5 swaps of one critical path, picked at random among ties; returns how many (pairs in ``moves``)."""
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
        nxt = -1
        for k in range(pred_first[v], pred_first[v + 1]):
            w = pred[k]
            if head[w] + minutes[w] + pred_lag[k] == head[v]:
                nxt = w
                break
        v = nxt
    path[:length] = path[:length][::-1].copy()  # from the start of the schedule to its end
    found = 0
    first = 0
    while first < length:  # blocks: runs of operations that follow each other on one resource
        last = first
        while last + 1 < length and before[path[last + 1]] == path[last]:
            last += 1
        if last > first:
            single = first == 0 and last == length - 1
            if first > 0 or single:
                moves[found, 0], moves[found, 1] = path[first], path[first + 1]
                found += 1
            if (last < length - 1 or single) and last - 1 != first:
                moves[found, 0], moves[found, 1] = path[last - 1], path[last]
                found += 1
            elif last < length - 1 and first == 0:
                moves[found, 0], moves[found, 1] = path[first], path[first + 1]
                found += 1
        first = last + 1
    return found


@numba.njit(cache=True, nogil=True)
def search(
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
    best_before: I64,
    best_after: I64,
    tabu: I64,
    state: I64,
    work: I64,
    seed: int,
    iterations: int,
    lower_bound: int,
    tenure: int,
    stall: int,
    kick: int,
) -> int:
    """``iterations`` of the tabu search from the current orders; returns the best makespan so far."""
    np.random.seed(seed)
    head, tail, order, waiting, path = work[0], work[1], work[2], work[3], work[4]
    count = minutes.size
    moves = np.empty((count + 2, 2), np.int64)
    slots = tabu.shape[0]
    makespan = times(
        minutes,
        release,
        pred_first,
        pred,
        pred_lag,
        succ_first,
        succ,
        succ_lag,
        before,
        after,
        head,
        tail,
        order,
        waiting,
    )
    if makespan < state[2]:
        state[2] = makespan
        state[1] = state[0]
        best_before[:] = before
        best_after[:] = after
    for _ in range(iterations):
        if state[2] <= lower_bound:
            break
        state[0] += 1
        now = state[0]
        if now - state[1] > stall:  # restart from the best schedule with a few random critical swaps
            before[:] = best_before
            after[:] = best_after
            tabu[:, 2] = -1
            state[1] = now
            for _kick in range(kick):
                makespan = times(
                    minutes,
                    release,
                    pred_first,
                    pred,
                    pred_lag,
                    succ_first,
                    succ,
                    succ_lag,
                    before,
                    after,
                    head,
                    tail,
                    order,
                    waiting,
                )
                found = _critical_moves(
                    minutes, release, pred_first, pred, pred_lag, before, head, makespan, path, moves
                )
                if found == 0:
                    break
                k = np.random.randint(found)
                _swap(moves[k, 0], moves[k, 1], before, after)
                if (
                    times(
                        minutes,
                        release,
                        pred_first,
                        pred,
                        pred_lag,
                        succ_first,
                        succ,
                        succ_lag,
                        before,
                        after,
                        head,
                        tail,
                        order,
                        waiting,
                    )
                    < 0
                ):
                    _swap(moves[k, 1], moves[k, 0], before, after)
        makespan = times(
            minutes,
            release,
            pred_first,
            pred,
            pred_lag,
            succ_first,
            succ,
            succ_lag,
            before,
            after,
            head,
            tail,
            order,
            waiting,
        )
        found = _critical_moves(minutes, release, pred_first, pred, pred_lag, before, head, makespan, path, moves)
        if found == 0:
            break
        chosen = -1
        chosen_estimate = np.iinfo(np.int64).max
        ties = 0
        for k in range(found):
            u, v = moves[k, 0], moves[k, 1]
            first, last = before[u], after[v]
            start_v = _job_head(v, minutes, release, pred_first, pred, pred_lag, head)
            if first >= 0:
                start_v = max(start_v, head[first] + minutes[first])
            start_u = max(_job_head(u, minutes, release, pred_first, pred, pred_lag, head), start_v + minutes[v])
            rest_u = _job_tail(u, minutes, succ_first, succ, succ_lag, tail)
            if last >= 0:
                rest_u = max(rest_u, minutes[last] + tail[last])
            rest_v = max(_job_tail(v, minutes, succ_first, succ, succ_lag, tail), rest_u + minutes[u])
            estimate = max(start_v + minutes[v] + rest_v, start_u + minutes[u] + rest_u)
            forbidden = False
            for slot in range(slots):
                if tabu[slot, 2] >= now and tabu[slot, 0] == u and tabu[slot, 1] == v:
                    forbidden = True
                    break
            if forbidden and estimate >= state[2]:
                continue
            if estimate < chosen_estimate:
                chosen, chosen_estimate, ties = k, estimate, 1
            elif estimate == chosen_estimate:
                ties += 1
                if np.random.randint(ties) == 0:
                    chosen = k
        if chosen < 0:  # every move is tabu: take one at random
            chosen = np.random.randint(found)
        u, v = moves[chosen, 0], moves[chosen, 1]
        _swap(u, v, before, after)
        makespan = times(
            minutes,
            release,
            pred_first,
            pred,
            pred_lag,
            succ_first,
            succ,
            succ_lag,
            before,
            after,
            head,
            tail,
            order,
            waiting,
        )
        if makespan < 0:  # a cycle through the precedences: undo and forbid
            _swap(v, u, before, after)
            slot = now % slots
            tabu[slot, 0], tabu[slot, 1], tabu[slot, 2] = u, v, now + tenure
            continue
        slot = now % slots
        tabu[slot, 0], tabu[slot, 1] = v, u  # swapping them back is tabu
        tabu[slot, 2] = now + tenure + np.random.randint(tenure + 1)
        if makespan < state[2]:
            state[2] = makespan
            state[1] = now
            best_before[:] = before
            best_after[:] = after
    return int(state[2])

"""MRP engine at plant scale: a regenerative run and a net-change replan, timed.

    .venv/bin/python -m benchmarks.mrp.engine            # 100,000 items, as in the target
    .venv/bin/python benchmarks/mrp/engine.py --items 20000 --repeats 1

The instance is drawn with numpy from a fixed seed (no database): ``--items`` items on 8
BOM levels (finished goods first, bought materials last), about 5.8 component lines per
made item (about 500,000 at 100,000 items), most from the next level and 15 % from deeper
ones. Product families: a component is drawn near its parent's relative place in its
level (normal, standard deviation 5 items), 5 % of the lines from a pool of common parts
(the first 1 % of a level), so a finished good's exploded BOM has several hundred to
about a thousand distinct parts; with scrap, 1 % of the lines time-limited (effectivity) and 1 % in alternate pairs;
1 % phantoms, 100 BOMs with a co-product; half of the finished goods also stocked at two
distribution centers (transfer nodes, a quarter of them replenished by a min-max policy, s = 60,
S = 160, as their item-site records would say); 52 weekly buckets; one forecast line per finished
good node and week for half of them, plus sales order lines up to 1,000,000 demand lines in all; open
purchase and work orders (5 % of them firm planned); 70 % of the nodes lot-for-lot, the
others fixed, economic, period order quantity or Wagner-Whitin, some with minimum /
multiple / maximum; frozen fence 1 week, slushy fence 4 weeks, forecast consumption 2
weeks back and 2 forward.

Timed: ``plan(problem)`` plus reading all planned orders and exception messages (median
of ``--repeats``); ``replan`` after adding 37 to one sales order line, each from the
regenerative plan, plus reading the changed nodes' orders and exceptions (median over
``--replans`` lines drawn at random of each line's median of ``--line-repeats`` replans, so
that a moment when the shared machine is busy does not count as the line's time; once from
all sales lines, where forecast consumption often absorbs the change, once from lines of
nodes without forecast, where it always propagates down the structure). Wall and CPU time are both given: the machine
may be shared. Peak memory is the process's maximum resident set size
(``resource.getrusage``), and the tracemalloc peak of one regenerative run.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time
import tracemalloc
from dataclasses import dataclass

import numpy as np
import scipy

from benchmarks.report import write_section
from plantops.engines.mrp import (
    Boms,
    Calendar,
    Demands,
    MrpChanges,
    MrpPlan,
    MrpProblem,
    Nodes,
    PlanningSettings,
    Receipts,
    Stock,
    SupplierItems,
    plan,
    replan,
)

SEED = 20260515
LEVEL_SHARE = np.array([0.10, 0.10, 0.12, 0.12, 0.14, 0.14, 0.14, 0.14])
START = np.datetime64("2026-01-05")
WEEKS = 52
FAMILY_WIDTH = 5.0
COMMON_SHARE = 0.05


@dataclass(frozen=True)
class Instance:
    problem: MrpProblem
    finished: np.ndarray  # finished-good node indexes (plant and DCs)
    bom_lines: int
    levels: int


def generate(items: int, seed: int = SEED, demand_lines: int = 1_000_000) -> Instance:
    """A synthetic plant of ``items`` items (see the module docstring)."""
    rng = np.random.default_rng(seed)
    sizes = np.floor(LEVEL_SHARE * items).astype(np.int64)
    sizes[-1] += items - sizes.sum()
    first = np.concatenate([[0], np.cumsum(sizes)])
    level = np.repeat(np.arange(sizes.size), sizes)
    made = level < sizes.size - 1
    # component lines: most from the next level, some from any deeper level
    lines_per = np.where(made, rng.poisson(5.7, items) + 1, 0)
    parent = np.repeat(np.arange(items), lines_per)
    depth = level[parent]
    skip = rng.random(parent.size) < 0.15
    target = np.where(skip, rng.integers(depth + 1, sizes.size), depth + 1)
    target = np.minimum(target, sizes.size - 1)
    # product families: components lie near the parent's relative place in their level (+-FAMILY_WIDTH),
    # except common parts (fasteners, packaging) drawn from the first 1 % of a level
    place = (parent - first[depth] + 0.5) / sizes[depth] * sizes[target] + rng.normal(0, FAMILY_WIDTH, parent.size)
    place = np.floor(place).astype(np.int64) % sizes[target]
    common = rng.random(parent.size) < COMMON_SHARE
    place = np.where(common, rng.integers(0, np.maximum(sizes[target] // 100, 1)), place)
    component = first[target] + place
    key = np.unique(parent * items + component)
    parent, component = key // items, key % items
    count = parent.size
    scrap = np.where(rng.random(count) < 0.2, 0.02, 0.0)
    quantity = rng.choice([0.05, 0.1, 0.25, 0.5, 1.0, 2.0], count, p=[0.3, 0.25, 0.2, 0.1, 0.1, 0.05])
    valid_to = np.full(count, np.datetime64("NaT"), dtype="datetime64[D]")
    valid_from = valid_to.copy()
    limited = rng.random(count) < 0.01
    switch = START + 7 * rng.integers(4, 40, count)
    ends = limited & (rng.random(count) < 0.5)
    valid_to[ends] = switch[ends]
    valid_from[limited & np.isnat(valid_to)] = switch[limited & np.isnat(valid_to)]
    group = np.full(count, -1, np.int64)
    priority = np.ones(count, np.int64)
    pair_start = np.flatnonzero((rng.random(count) < 0.01)[:-1] & (parent[:-1] == parent[1:]))
    pair_start = pair_start[np.r_[True, np.diff(pair_start) > 1]] if pair_start.size else pair_start
    group[pair_start] = 1
    group[pair_start + 1] = 1
    priority[pair_start + 1] = 2

    # nodes: every item at the plant (site 0); half the finished goods at two DCs as well
    fg = np.arange(sizes[0])
    dc_items = fg[rng.random(fg.size) < 0.5]
    node_item = np.concatenate([np.arange(items), dc_items, dc_items])
    node_site = np.concatenate(
        [np.zeros(items, np.int64), np.ones(dc_items.size, np.int64), np.full(dc_items.size, 2, np.int64)]
    )
    nodes_total = node_item.size
    procurement = np.where(made, 0, 1)
    procurement = np.concatenate([procurement, np.full(2 * dc_items.size, 2)])
    source = np.concatenate([np.full(items, -1), dc_items, dc_items])
    bom = np.concatenate([np.where(made, np.arange(items), -1), np.full(2 * dc_items.size, -1)])
    phantom = np.zeros(nodes_total, np.bool_)
    phantom[:items] = (level > 0) & made & (rng.random(items) < 0.01)
    # 100 separation BOMs: a level-1 item gets a co-product from its own level, made by the same BOM
    joint_main = first[1] + rng.choice(sizes[1] // 2, 100, replace=False) * 2
    joint_co = joint_main + 1
    bom[joint_co] = joint_main
    phantom[joint_co] = False
    phantom[joint_main] = False
    rule = rng.choice(5, nodes_total, p=[0.70, 0.10, 0.05, 0.10, 0.05])
    rule[phantom] = 0
    limits = (rng.random(nodes_total) < 0.1) & ~phantom
    lead = np.where(phantom, 0, rng.integers(1, 16, nodes_total))
    # per-site planning (item-site records): a quarter of the DC nodes on a min-max policy
    on_policy = items + np.flatnonzero(np.random.default_rng([seed, 18]).random(nodes_total - items) < 0.25)
    policy = np.zeros(nodes_total, np.int8)
    policy[on_policy] = 2
    reorder_point, order_up_to = np.full(nodes_total, np.nan), np.full(nodes_total, np.nan)
    reorder_point[on_policy], order_up_to[on_policy] = 60.0, 160.0
    nodes = Nodes.of(
        item=node_item,
        site=node_site,
        procurement=procurement,
        phantom=phantom,
        lead_time=lead,
        lot_size_rule=rule,
        fixed_order_quantity=np.full(nodes_total, 200.0),
        order_periods=np.full(nodes_total, 3),
        ordering_cost=np.full(nodes_total, 80.0),
        holding_cost_rate=np.full(nodes_total, 0.25),
        unit_cost=rng.uniform(1, 50, nodes_total),
        min_order_quantity=np.where(limits, 50.0, 0.0),
        order_multiple=np.where(limits, 10.0, 0.0),
        max_order_quantity=np.where(limits, 5000.0, np.inf),
        safety_stock=np.where((rng.random(nodes_total) < 0.2) & ~phantom, 20.0, 0.0),
        yield_rate=np.where(rng.random(nodes_total) < 0.05, 0.95, 1.0),
        policy=policy,
        reorder_point=reorder_point,
        order_up_to=order_up_to,
        bom=bom,
        source=source,
    )
    boms = Boms.of(
        main=np.arange(items),
        quantity=np.ones(items),
        line_bom=parent,
        line_component=component,
        line_quantity=quantity,
        line_scrap=scrap,
        line_group=group,
        line_priority=priority,
        line_valid_from=valid_from,
        line_valid_to=valid_to,
        output_bom=joint_main,
        output_node=joint_co,
        output_quantity=np.full(100, 0.5),
    )
    bought = np.flatnonzero(~made)
    suppliers = SupplierItems.of(
        item=np.concatenate([bought, bought]),
        supplier=np.concatenate([np.ones(bought.size), np.full(bought.size, 2)]),
        rank=np.concatenate([np.ones(bought.size), np.full(bought.size, 2)]),
        lead_time=np.concatenate([rng.integers(5, 30, bought.size), rng.integers(5, 30, bought.size)]),
        min_order_quantity=np.where(rng.random(2 * bought.size) < 0.2, 100.0, 0.0),
    )
    sellable = np.concatenate([fg, items + np.arange(2 * dc_items.size)])
    forecasted = sellable[rng.random(sellable.size) < 0.5]
    forecast_node = np.repeat(forecasted, WEEKS)
    forecast_week = np.tile(np.arange(WEEKS), forecasted.size)
    orders = max(demand_lines - forecast_node.size, 0)
    order_node = rng.choice(sellable, orders)
    order_week = np.minimum(rng.geometric(0.12, orders) - 1, WEEKS - 1)
    demands = Demands.of(
        node=np.concatenate([forecast_node, order_node]),
        date=np.concatenate([START + 7 * forecast_week, START + 7 * order_week + rng.integers(0, 5, orders)]),
        quantity=np.concatenate([rng.integers(5, 60, forecast_node.size), rng.integers(1, 20, orders)]).astype(float),
        priority=np.concatenate([np.full(forecast_node.size, 9), rng.integers(1, 6, orders)]),
        forecast=np.concatenate([np.ones(forecast_node.size, np.bool_), np.zeros(orders, np.bool_)]),
    )
    receipt_node = rng.choice(np.flatnonzero(~phantom), 100_000 * items // 100_000)
    receipts = Receipts.of(
        node=receipt_node,
        due=START + 7 * rng.integers(-1, 10, receipt_node.size),
        quantity=rng.integers(10, 400, receipt_node.size).astype(float),
        firm=(rng.random(receipt_node.size) < 0.05) & (procurement[receipt_node] != 1),
    )
    stock = Stock.of(
        on_hand=np.where(rng.random(nodes_total) < 0.6, rng.integers(0, 500, nodes_total), 0.0),
        allocated=np.where(rng.random(nodes_total) < 0.1, 10.0, 0.0),
    )
    settings = PlanningSettings.weekly(
        START, WEEKS, frozen_buckets=1, slushy_buckets=4, forecast_backward=2, forecast_forward=2
    )
    calendar = Calendar.weekdays(
        start=START - 7 * 8, days=7 * (WEEKS + 10), sites=3, holidays=[START + 7 * 15 + 2, START + 7 * 30]
    )
    problem = MrpProblem.of(
        nodes=nodes,
        boms=boms,
        suppliers=suppliers,
        calendar=calendar,
        settings=settings,
        stock=stock,
        demands=demands,
        receipts=receipts,
    )
    return Instance(problem, sellable, int(count), int(sizes.size))


def regenerative(problem: MrpProblem) -> tuple[float, float, MrpPlan]:
    """Wall and CPU seconds of a regenerative run, reading all orders and exception messages."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = plan(problem)
    _ = len(result.orders), len(result.exceptions)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def net_change(base: MrpPlan, line: int) -> tuple[float, float, float, MrpPlan, int]:
    """Add 37 to one sales order line and replan from ``base``; read the changed nodes' orders and messages.

    Returns wall and CPU seconds, wall seconds of ``replan`` alone, the plan and how many nodes
    it recomputed.
    """
    problem = base.problem
    demands = problem.demands
    quantity = demands.quantity.copy()
    quantity[line] += 37.0
    changed = problem.replace(
        demands=Demands(demands.id, demands.node, demands.date, quantity, demands.priority, demands.forecast)
    )
    wall, cpu = time.perf_counter(), time.process_time()
    result = replan(base, changed, MrpChanges.of([int(demands.node[line])]))
    alone = time.perf_counter() - wall
    _ = len(result.orders_for(result.changed_nodes)), len(result.exceptions_for(result.changed_nodes))
    return time.perf_counter() - wall, time.process_time() - cpu, alone, result, int(result.changed_nodes.size)


def _median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms"


TITLE = "MRP engine (regenerative and net change)"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--demand-lines", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--replans", type=int, default=21)
    parser.add_argument("--line-repeats", type=int, default=3, help="replans of each line; its median counts")
    parser.add_argument("--check", action="store_true", help="compare each replan with a regenerative run")
    parser.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md")
    options = parser.parse_args()

    started = time.perf_counter()
    instance = generate(options.items, demand_lines=options.demand_lines)
    problem = instance.problem
    built = time.perf_counter() - started
    walls, cpus = [], []
    result: MrpPlan | None = None
    for _ in range(options.repeats):
        wall, cpu, result = regenerative(problem)
        walls.append(wall)
        cpus.append(cpu)
    assert result is not None
    rng = np.random.default_rng(SEED + 1)
    demands = problem.demands
    sales = np.flatnonzero(~demands.forecast & np.isin(demands.node, instance.finished))
    forecasted = np.zeros(len(problem.nodes), np.bool_)
    forecasted[demands.node[demands.forecast]] = True
    propagating = sales[~forecasted[demands.node[sales]]]  # no forecast to absorb the change
    samples: dict[str, tuple[list[float], list[float], list[float], list[int]]] = {}
    for name, pool in (("any sales order line", sales), ("a line of a node without forecast", propagating)):
        wall_times, cpu_times, alone_times, sizes = [], [], [], []
        for line in rng.choice(pool, options.replans, replace=False).tolist():
            runs = [net_change(result, int(line)) for _ in range(options.line_repeats)]
            wall_times.append(statistics.median(r[0] for r in runs))
            cpu_times.append(statistics.median(r[1] for r in runs))
            alone_times.append(statistics.median(r[2] for r in runs))
            changed, size = runs[0][3], runs[0][4]
            sizes.append(size)
            if options.check:
                full = plan(changed.problem)
                same = all(
                    np.array_equal(getattr(changed, table), getattr(full, table))
                    for table in ("gross_requirements", "planned_order_receipts", "planned_order_releases")
                )
                assert same, f"replan of line {line} differs from the regenerative run"
        samples[name] = (wall_times, cpu_times, alone_times, sizes)
    tracemalloc.start()
    plan(problem)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux

    nodes = len(problem.nodes)
    out: list[str] = []
    out.append(f"## {TITLE}\n")
    out.append(
        f"`.venv/bin/python -m benchmarks.mrp.engine --items {options.items}` "
        f"(seed {SEED}; instance drawn with numpy)\n"
    )
    out.append(f"- CPU: {_cpu()}, {os.cpu_count()} logical cores; load average at the end: {os.getloadavg()[0]:.1f}")
    out.append(f"- Software: Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}")
    out.append(
        f"- Instance: {options.items:,} items, {nodes:,} nodes, {instance.levels} BOM levels "
        f"(low-level codes 0..{int(result.low_level_codes.max())}), {instance.bom_lines:,} BOM lines, "
        f"{len(problem.demands):,} demand lines, {len(problem.receipts):,} scheduled receipts, "
        f"{problem.settings.horizon} weekly buckets; built in {built:.1f} s"
    )
    out.append(f"- Result: {len(result.orders):,} planned orders, {len(result.exceptions):,} exception messages\n")
    out.append("| measure | median wall | median CPU | runs (wall) |")
    out.append("|---|---:|---:|---|")
    out.append(
        f"| regenerative run (plan + all orders + all exceptions) | {statistics.median(walls):.2f} s "
        f"| {statistics.median(cpus):.2f} s | " + ", ".join(f"{w:.2f}" for w in walls) + " s |"
    )
    for name, (wall_times, cpu_times, alone_times, sizes) in samples.items():
        out.append(
            f"| net-change replan, +37 on {name} ({len(sizes)} lines, each the median of "
            f"{options.line_repeats} replans; + changed nodes' orders and exceptions) "
            f"| {_median_ms(wall_times)} | {_median_ms(cpu_times)} | max {max(wall_times) * 1000:.0f} ms; "
            f"`replan` alone: median {_median_ms(alone_times)}; "
            f"nodes recomputed: median {statistics.median(sizes):.0f}, max {max(sizes)} |"
        )
    out.append(
        f"| peak memory | {peak_rss:,.0f} MiB RSS | | tracemalloc peak of one run: {traced_peak / 2**20:,.0f} MiB |"
    )

    body = "\n".join(out) + "\n"
    print(body)
    if not options.no_write:
        write_section(TITLE, body)


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for text in info:
                if text.startswith("model name"):
                    return text.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


if __name__ == "__main__":
    main()

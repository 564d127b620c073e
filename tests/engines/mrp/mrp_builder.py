"""Small MRP problems for tests: name nodes, give weeks instead of dates, build the arrays."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from plantops.engines.mrp import (
    Boms,
    Calendar,
    Demands,
    MrpProblem,
    Nodes,
    PlanningSettings,
    Receipts,
    Stock,
    SupplierItems,
)

MONDAY = np.datetime64("2026-01-05")  # weekly buckets start on Mondays; 5 working days = 1 week


def week(number: int, day: int = 0) -> np.datetime64:
    """The date of ``day`` (0 = Monday) of bucket ``number``."""
    return MONDAY + np.timedelta64(7 * number + day, "D")


@dataclass
class Builder:
    """Collects nodes, BOMs and transactions by name; :meth:`build` makes the :class:`MrpProblem`."""

    weeks: int = 8
    settings: dict[str, Any] = field(default_factory=dict)
    sites: int = 1
    holidays: tuple[Any, ...] = ()
    names: dict[str, int] = field(default_factory=dict)
    node_rows: list[dict[str, Any]] = field(default_factory=list)
    bom_rows: list[tuple[int, float]] = field(default_factory=list)
    line_rows: list[dict[str, Any]] = field(default_factory=list)
    output_rows: list[tuple[int, int, float]] = field(default_factory=list)
    supplier_rows: list[dict[str, Any]] = field(default_factory=list)
    demand_rows: list[dict[str, Any]] = field(default_factory=list)
    receipt_rows: list[dict[str, Any]] = field(default_factory=list)
    stock_rows: dict[int, tuple[float, float]] = field(default_factory=dict)

    def node(self, name: str, *, item: int | None = None, **params: Any) -> int:
        """A node (procurement buy, lead time 0, lot-for-lot unless given); ``item`` defaults to a new item."""
        index = len(self.node_rows)
        self.names[name] = index
        self.node_rows.append({"item": index if item is None else item, **params})
        return index

    def __getitem__(self, name: str) -> int:
        return self.names[name]

    def bom(
        self,
        parent: str,
        *lines: tuple[str, float] | dict[str, Any],
        quantity: float = 1.0,
        outputs: tuple[tuple[str, float], ...] = (),
    ) -> int:
        """A BOM making ``quantity`` of ``parent`` per batch; lines are (component, quantity) or dicts."""
        index = len(self.bom_rows)
        self.bom_rows.append((self.names[parent], quantity))
        for line in lines:
            row: dict[str, Any] = {"component": line[0], "quantity": line[1]} if isinstance(line, tuple) else dict(line)
            row["component"] = self.names[str(row["component"])]
            self.line_rows.append({"bom": index, **row})
        for name, per_batch in outputs:
            self.output_rows.append((index, self.names[name], per_batch))
        self.node_rows[self.names[parent]].setdefault("bom", index)
        self.node_rows[self.names[parent]].setdefault("procurement", "make")
        return index

    def demand(
        self,
        name: str,
        bucket: int,
        quantity: float,
        *,
        forecast: bool = False,
        priority: int = 5,
        id: int | None = None,
        day: int = 0,
    ) -> int:
        self.demand_rows.append(
            {
                "node": self.names[name],
                "date": week(bucket, day),
                "quantity": quantity,
                "forecast": forecast,
                "priority": priority,
                "id": len(self.demand_rows) if id is None else id,
            }
        )
        return len(self.demand_rows) - 1

    def receipt(self, name: str, bucket: int, quantity: float, *, firm: bool = False, day: int = 0) -> int:
        self.receipt_rows.append(
            {
                "node": self.names[name],
                "due": week(bucket, day),
                "quantity": quantity,
                "firm": firm,
                "id": 100 + len(self.receipt_rows),
            }
        )
        return len(self.receipt_rows) - 1

    def stock(self, name: str, on_hand: float, allocated: float = 0.0) -> None:
        self.stock_rows[self.names[name]] = (on_hand, allocated)

    def supplier(self, name: str, supplier: int, lead_time: float, **params: Any) -> None:
        self.supplier_rows.append(
            {"item": self.node_rows[self.names[name]]["item"], "supplier": supplier, "lead_time": lead_time, **params}
        )

    def build(self) -> MrpProblem:
        columns: dict[str, list[Any]] = {}
        keys = sorted({key for row in self.node_rows for key in row})
        defaults = {
            "procurement": "buy",
            "bom": -1,
            "source": -1,
            "lot_size_rule": "lot_for_lot",
            "max_order_quantity": np.inf,
            "yield_rate": 1.0,
            "phantom": False,
            "site": 0,
            "policy": None,
            "reorder_point": np.nan,
            "order_quantity": np.nan,
            "order_up_to": np.nan,
            "review_weeks": 1,
        }
        for key in keys:
            columns[key] = [row.get(key, defaults.get(key, 0)) for row in self.node_rows]
        for key in ("source",):
            if key in columns:
                columns[key] = [self.names[v] if isinstance(v, str) else v for v in columns[key]]
        nodes = Nodes.of(**columns)
        boms = Boms.empty()
        if self.bom_rows:
            line_keys = {
                "bom": "line_bom",
                "component": "line_component",
                "quantity": "line_quantity",
                "scrap": "line_scrap",
                "group": "line_group",
                "priority": "line_priority",
                "valid_from": "line_valid_from",
                "valid_to": "line_valid_to",
            }
            line_defaults = {"scrap": 0.0, "group": -1, "priority": 1, "valid_from": None, "valid_to": None}
            line_columns: dict[str, Any] = {
                target: [row.get(key, line_defaults.get(key)) for row in self.line_rows]
                for key, target in line_keys.items()
            }
            for key in ("line_valid_from", "line_valid_to"):
                line_columns[key] = np.array(
                    [np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in line_columns[key]],
                    dtype="datetime64[D]",
                )
            boms = Boms.of(
                main=[b[0] for b in self.bom_rows],
                quantity=[b[1] for b in self.bom_rows],
                output_bom=[o[0] for o in self.output_rows],
                output_node=[o[1] for o in self.output_rows],
                output_quantity=[o[2] for o in self.output_rows],
                **line_columns,
            )
        suppliers = SupplierItems.empty()
        if self.supplier_rows:
            keys = sorted({key for row in self.supplier_rows for key in row})
            suppliers = SupplierItems.of(**{k: [row.get(k, 0) for row in self.supplier_rows] for k in keys})
        count = len(self.node_rows)
        on_hand = np.zeros(count)
        allocated = np.zeros(count)
        for node, (stock, reserved) in self.stock_rows.items():
            on_hand[node], allocated[node] = stock, reserved
        demands = (
            Demands.of(
                **{
                    k: [row[k] for row in self.demand_rows]
                    for k in ("node", "date", "quantity", "forecast", "priority", "id")
                }
            )
            if self.demand_rows
            else Demands.empty()
        )
        receipts = (
            Receipts.of(**{k: [row[k] for row in self.receipt_rows] for k in ("node", "due", "quantity", "firm", "id")})
            if self.receipt_rows
            else Receipts.empty()
        )
        settings = PlanningSettings.weekly(MONDAY, self.weeks, **self.settings)
        calendar = Calendar.weekdays(
            start=MONDAY - np.timedelta64(28, "D"), days=7 * self.weeks + 56, sites=self.sites, holidays=self.holidays
        )
        return MrpProblem.of(
            nodes=nodes,
            boms=boms,
            suppliers=suppliers,
            calendar=calendar,
            settings=settings,
            stock=Stock.of(on_hand=on_hand, allocated=allocated),
            demands=demands,
            receipts=receipts,
        )


def random_problem(rng: np.random.Generator, count: int = 30, weeks: int = 10) -> MrpProblem:
    """A random plant: a layered BOM with scrap, alternates, effectivity, phantoms, a separation BOM,
    transfers to a second site, every lot-size rule and inventory policy, stock, receipts (some firm), orders
    and forecast."""
    builder = Builder(
        weeks=weeks,
        sites=2,
        settings={
            "frozen_buckets": int(rng.integers(0, 2)),
            "slushy_buckets": 2,
            "forecast_backward": int(rng.integers(0, 3)),
            "forecast_forward": int(rng.integers(0, 3)),
        },
    )
    layers = [list(range(k, count, 4)) for k in range(4)]
    rules = ["lot_for_lot", "fixed_order_quantity", "economic_order_quantity", "period_order_quantity", "wagner_whitin"]
    for index in range(count):
        depth = next(k for k, layer in enumerate(layers) if index in layer)
        rule = rules[int(rng.integers(0, len(rules)))] if rng.random() < 0.5 else "lot_for_lot"
        params: dict[str, Any] = {
            "lead_time": float(rng.integers(0, 11)),
            "lot_size_rule": rule,
            "fixed_order_quantity": 40.0,
            "order_periods": 3,
            "ordering_cost": 50.0,
            "holding_cost_rate": 0.2,
            "unit_cost": 10.0,
            "safety_stock": float(rng.choice([0, 0, 5])),
            "yield_rate": float(rng.choice([1.0, 1.0, 0.9])),
        }
        if rng.random() < 0.2:
            params.update(min_order_quantity=15.0, order_multiple=5.0, max_order_quantity=60.0)
        if rng.random() < 0.2:  # an inventory policy replaces the safety stock and lot-size rule
            level = float(rng.integers(0, 30))
            params.update(policy="reorder_point", reorder_point=level, order_quantity=float(rng.integers(5, 40)))
            if rng.random() < 0.5:
                params.update(policy="min_max", order_up_to=level + float(rng.integers(0, 40)))
            params["review_weeks"] = int(rng.integers(1, 4))
        if depth in (1, 2) and rng.random() < 0.15:
            params.update(phantom=True, lead_time=0.0, procurement="make", policy=None)
        builder.node(f"n{index}", **params)
    for depth in range(3):
        for parent in layers[depth]:
            name = f"n{parent}"
            below = [c for layer in layers[depth + 1 :] for c in layer]
            picks = rng.choice(below, size=min(len(below), int(rng.integers(1, 4))), replace=False).tolist()
            lines: list[dict[str, Any]] = []
            for position, component in enumerate(picks):
                line: dict[str, Any] = {
                    "component": f"n{component}",
                    "quantity": float(rng.integers(1, 4)),
                    "scrap": float(rng.choice([0.0, 0.1])),
                }
                if position == 0 and rng.random() < 0.2:
                    line["valid_to"] = week(int(rng.integers(1, weeks)))
                lines.append(line)
            if len(picks) >= 2 and rng.random() < 0.3:
                lines[0]["group"], lines[1]["group"] = 7, 7
                lines[1]["priority"] = 2
            builder.bom(name, *lines, quantity=float(rng.choice([1.0, 2.0])))
    joint_main, joint_co = f"n{layers[1][0]}", f"n{layers[1][1]}"
    for name in (joint_main, joint_co):
        builder.node_rows[builder[name]].update(phantom=False, lead_time=5.0)
    bom = builder.node_rows[builder[joint_main]]["bom"]
    builder.output_rows.append((bom, builder[joint_co], 2.0))
    if rng.random() < 0.5:
        builder.node_rows[builder[joint_co]].update(bom=bom, procurement="make")
    else:
        builder.node_rows[builder[joint_co]].pop("bom", None)
        builder.node_rows[builder[joint_co]]["procurement"] = "buy"
    for parent in layers[0][:3]:
        item = builder.node_rows[builder[f"n{parent}"]]["item"]
        builder.node(
            f"dc{parent}",
            item=item,
            site=1,
            procurement="transfer",
            source=f"n{parent}",
            lead_time=3.0,
            safety_stock=2.0,
        )
    builder.supplier(f"n{layers[3][0]}", supplier=9, lead_time=7, min_order_quantity=25.0)
    sellable = layers[0] + [int(builder[f"dc{p}"]) for p in layers[0][:3]]
    for _ in range(int(rng.integers(10, 40))):
        node = int(rng.choice(sellable))
        name = next(n for n, i in builder.names.items() if i == node)
        builder.demand(
            name,
            int(rng.integers(-1, weeks + 1)),
            float(rng.integers(1, 30)),
            forecast=bool(rng.random() < 0.4),
            priority=int(rng.integers(1, 6)),
            day=int(rng.integers(0, 5)),
        )
    for node_name in rng.choice(list(builder.names), size=8).tolist():
        builder.receipt(
            node_name, int(rng.integers(-1, weeks)), float(rng.integers(5, 50)), firm=bool(rng.random() < 0.3)
        )
    for node_name in rng.choice(list(builder.names), size=10).tolist():
        builder.stock(node_name, float(rng.integers(0, 60)), float(rng.integers(0, 10)))
    return builder.build()


def random_change(rng: np.random.Generator, problem: MrpProblem) -> MrpProblem:
    """The problem with one to three random changes to demand lines, receipts or stock."""
    demands, receipts, stock = problem.demands, problem.receipts, problem.stock
    for _ in range(int(rng.integers(1, 4))):
        what = int(rng.integers(0, 6))
        if what == 0 and len(demands):  # change a demand's quantity
            quantity = demands.quantity.copy()
            quantity[int(rng.integers(0, len(demands)))] = float(rng.integers(0, 40))
            demands = Demands(demands.id, demands.node, demands.date, quantity, demands.priority, demands.forecast)
        elif what == 1:  # a new sales order line
            demands = Demands.of(
                node=np.append(demands.node, int(rng.choice(demands.node)) if len(demands) else 0),
                date=np.append(demands.date, week(int(rng.integers(0, problem.settings.horizon)))),
                quantity=np.append(demands.quantity, float(rng.integers(1, 50))),
                id=np.append(demands.id, 10_000 + len(demands)),
                priority=np.append(demands.priority, 1),
                forecast=np.append(demands.forecast, False),
            )
        elif what == 2 and len(demands) > 1:  # a line removed
            keep = np.arange(len(demands)) != int(rng.integers(0, len(demands)))
            demands = Demands(
                demands.id[keep],
                demands.node[keep],
                demands.date[keep],
                demands.quantity[keep],
                demands.priority[keep],
                demands.forecast[keep],
            )
        elif what == 3 and len(receipts):  # a receipt moved or resized
            index = int(rng.integers(0, len(receipts)))
            due, quantity = receipts.due.copy(), receipts.quantity.copy()
            due[index] = week(int(rng.integers(0, problem.settings.horizon)))
            quantity[index] = float(rng.integers(1, 60))
            receipts = Receipts(receipts.id, receipts.node, due, quantity, receipts.firm)
        elif what == 4:  # stock counted
            on_hand = stock.on_hand.copy()
            on_hand[int(rng.integers(0, len(on_hand)))] = float(rng.integers(0, 80))
            stock = Stock(on_hand, stock.allocated)
        else:  # a new firm planned order
            receipts = Receipts.of(
                node=np.append(receipts.node, int(rng.integers(0, len(problem.nodes)))),
                due=np.append(receipts.due, week(int(rng.integers(1, problem.settings.horizon)))),
                quantity=np.append(receipts.quantity, float(rng.integers(5, 40))),
                id=np.append(receipts.id, 50_000 + len(receipts)),
                firm=np.append(receipts.firm, True),
            )
    return problem.replace(stock=stock, demands=demands, receipts=receipts)


def random_alternates_problem(rng: np.random.Generator, parents: int = 12, weeks: int = 6) -> MrpProblem:
    """Many parents whose alternate groups share a small pool of components with some stock:
    each group's choice depends on the groups decided before it."""
    builder = Builder(weeks=weeks)
    pool = [builder.node(f"c{k}") for k in range(4)]
    for k in pool:
        builder.stock(f"c{k}", float(rng.integers(0, 40)))
        if rng.random() < 0.5:
            builder.receipt(f"c{k}", int(rng.integers(0, weeks)), float(rng.integers(5, 30)))
    for p in range(parents):
        builder.node(f"p{p}", lead_time=float(rng.integers(0, 6)))
        first, second = rng.choice(len(pool), 2, replace=False).tolist()
        builder.bom(
            f"p{p}",
            {"component": f"c{first}", "quantity": 1.0, "group": 1, "priority": 1},
            {"component": f"c{second}", "quantity": float(rng.choice([1.0, 2.0])), "group": 1, "priority": 2},
        )
        for _ in range(int(rng.integers(1, 3))):
            builder.demand(f"p{p}", int(rng.integers(0, weeks)), float(rng.integers(1, 20)))
    return builder.build()

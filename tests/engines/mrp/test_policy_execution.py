"""MRP carries out reorder-point (r, Q) and min-max (s, S) policies exactly.

Each node here is one item with its own demand stream, planned by MRP; a plain
step-by-step simulation of the policy's rule says which orders the policy places, and
the policy engine (:mod:`plantops.engines.policy`) says what that costs.

Convention: MRP reviews at the start of a bucket ``t`` (before its demand) and the order
falls due ``L`` buckets later (lead time ``5 L`` working days, weekly buckets, Monday to
Friday). :func:`plantops.engines.policy.simulation.simulate` reviews a continuous (r, nQ)
policy *after* the demand of period ``t`` and receives its order at the start of
``t + L + 1``: the same inventory position and the same arrival as MRP's review at the
start of ``t + 1``, due ``L`` buckets later. Its periodic (s, S) policy reviews at the
start of the period, as MRP does. Either way the stock at the end of the bucket the order
falls due covers the demand of ``L + 1`` buckets, which is the lead-time demand the policy
engine's costs use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from plantops.engines.mrp import (
    Calendar,
    Demands,
    MrpPlan,
    MrpProblem,
    Nodes,
    PlanningSettings,
    Receipts,
    Stock,
    plan,
)
from plantops.engines.policy import Demand
from plantops.engines.policy.rq import least_cost_rq
from plantops.engines.policy.simulation import Replenishment, simulate
from plantops.engines.policy.ss import least_cost_ss
from plantops.errors import ValidationError
from plantops.vocabulary import DemandDistribution, ReplenishmentPolicy, ServiceMeasure
from tests.engines.mrp.mrp_builder import MONDAY, Builder, week


@dataclass(frozen=True)
class Case:
    """One node: its policy, lead time (weeks), review period, stock, open receipt and demand per bucket."""

    policy: ReplenishmentPolicy
    reorder_point: float
    order_quantity: float
    order_up_to: float
    review: int
    lead: int
    on_hand: float
    allocated: float
    receipt: tuple[int, float] | None
    demand: np.ndarray
    yield_rate: float = 1.0


def policy_orders(case: Case) -> list[tuple[int, float]]:
    """(review bucket, quantity received) of every order the policy places that falls due in the horizon.

    The policy's rule, step by step: at the start of every ``review``-th bucket the inventory
    position (stock + the open receipt + orders placed so far - demand so far, backorders
    included) is compared with the reorder point; at or below it, a reorder-point policy
    orders the smallest multiple of Q that lifts the position above r, a min-max policy
    orders up to S. Then the bucket's demand is taken.
    """
    horizon = case.demand.size
    position = case.on_hand - case.allocated + (case.receipt[1] if case.receipt else 0.0)
    placed = []
    for t in range(horizon):
        if t % case.review == 0 and t + case.lead < horizon and position <= case.reorder_point:
            if case.policy is ReplenishmentPolicy.REORDER_POINT:
                lots = 1
                while position + lots * case.order_quantity <= case.reorder_point:
                    lots += 1
                quantity = lots * case.order_quantity
            else:
                quantity = case.order_up_to - position
            if quantity > 0:
                placed.append((t, quantity))
                position += quantity
        position -= float(case.demand[t])
    return placed


def build(cases: list[Case], *, frozen: int = 0) -> MrpProblem:
    """One MRP problem with one bought node per case."""
    horizon = cases[0].demand.size
    count = len(cases)
    node, bucket = np.nonzero(np.array([case.demand for case in cases]) > 0)
    quantity = np.array([case.demand for case in cases])[node, bucket]
    with_receipt = [n for n, case in enumerate(cases) if case.receipt is not None]
    return MrpProblem.of(
        nodes=Nodes.of(
            item=np.arange(count),
            lead_time=[5.0 * case.lead for case in cases],
            policy=[case.policy for case in cases],
            reorder_point=[case.reorder_point for case in cases],
            order_quantity=[case.order_quantity for case in cases],
            order_up_to=[case.order_up_to for case in cases],
            review_weeks=[case.review for case in cases],
            yield_rate=[case.yield_rate for case in cases],
        ),
        settings=PlanningSettings.weekly(MONDAY, horizon, frozen_buckets=frozen),
        calendar=Calendar.weekdays(start=MONDAY - np.timedelta64(28, "D"), days=7 * horizon + 56),
        stock=Stock.of(on_hand=[c.on_hand for c in cases], allocated=[c.allocated for c in cases]),
        demands=Demands.of(
            node=node,
            date=MONDAY + 7 * bucket.astype("timedelta64[D]"),
            quantity=quantity,
            id=np.arange(node.size),
            priority=np.ones(node.size),
            forecast=np.zeros(node.size, np.bool_),
        ),
        receipts=Receipts.of(
            node=with_receipt,
            due=[week(cases[n].receipt[0]) for n in with_receipt],  # type: ignore[index]
            quantity=[cases[n].receipt[1] for n in with_receipt],  # type: ignore[index]
            id=np.arange(len(with_receipt)),
            firm=np.zeros(len(with_receipt), np.bool_),
        ),
    )


def random_case(rng: np.random.Generator, horizon: int) -> Case:
    """Poisson or normal (negative draws: none) demand, lead time 0..4 weeks, review 1..3, either policy."""
    mean = float(rng.uniform(2.0, 20.0))
    law = (
        Demand.of(DemandDistribution.POISSON, mean)
        if rng.random() < 0.5
        else Demand.of(DemandDistribution.NORMAL, mean, mean * float(rng.uniform(0.2, 0.8)))
    )
    lead, review = int(rng.integers(0, 5)), int(rng.integers(1, 4))
    cover = mean * (lead + review)
    reorder_point = float(round(cover + rng.uniform(-1.0, 1.5) * math.sqrt(cover)))
    quantity = float(max(1, round(mean * rng.uniform(0.5, 4.0))))
    policy = ReplenishmentPolicy.REORDER_POINT if rng.random() < 0.5 else ReplenishmentPolicy.MIN_MAX
    stocked = rng.random() < 0.6
    return Case(
        policy=policy,
        reorder_point=reorder_point,
        order_quantity=quantity if policy is ReplenishmentPolicy.REORDER_POINT else math.nan,
        order_up_to=reorder_point + quantity if policy is ReplenishmentPolicy.MIN_MAX else math.nan,
        review=review,
        lead=lead,
        on_hand=float(rng.integers(0, int(reorder_point + quantity) + 2)) if stocked else 0.0,
        allocated=float(rng.integers(0, 5)) if stocked and rng.random() < 0.3 else 0.0,
        receipt=(int(rng.integers(-1, horizon)), float(rng.integers(1, 60))) if rng.random() < 0.4 else None,
        demand=law.sample(rng, (horizon,)),
        yield_rate=float(rng.choice([1.0, 1.0, 0.9])),
    )


def planned(result: MrpPlan, node: int) -> tuple[list[tuple[int, float]], np.ndarray, np.ndarray]:
    """(release bucket, receipt quantity), due buckets and order quantities of ``node``'s planned orders."""
    orders = result.orders_for([node])
    pairs = list(zip(orders.release_bucket.tolist(), orders.receipt_quantity.tolist(), strict=True))
    return pairs, orders.due_bucket - orders.release_bucket, orders.quantity


@pytest.mark.parametrize("seed", range(8))
def test_mrp_places_exactly_the_orders_of_the_policy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    horizon = 30
    cases = [random_case(rng, horizon) for _ in range(40)]
    result = plan(build(cases))
    for node, case in enumerate(cases):
        expected = policy_orders(case)
        got, lead, quantity = planned(result, node)
        assert [t for t, _ in got] == [t for t, _ in expected], (node, case)
        np.testing.assert_allclose([q for _, q in got], [q for _, q in expected], rtol=1e-9, atol=1e-9)
        assert (lead == case.lead).all()
        np.testing.assert_allclose(quantity * case.yield_rate, [q for _, q in expected], rtol=1e-9, atol=1e-9)
    assert sum(len(policy_orders(case)) for case in cases) > 100  # the streams do make the policies order


def test_a_min_max_node_orders_up_to_its_level_and_a_reorder_point_node_in_whole_lots() -> None:
    builder = Builder(weeks=6)
    builder.node("minmax", policy="min_max", reorder_point=10, order_up_to=50, lead_time=5.0)
    builder.node("rq", policy="reorder_point", reorder_point=10, order_quantity=15, lead_time=0.0)
    builder.stock("minmax", 12)
    builder.stock("rq", 12)
    for name in ("minmax", "rq"):
        builder.demand(name, 0, 4)
        builder.demand(name, 1, 33)
    result = plan(builder.build())
    # min-max: IP 12 > 10 at bucket 0; 12 - 4 = 8 at bucket 1 -> order 42, due a week later
    assert planned(result, builder["minmax"])[0] == [(1, 42.0)]
    assert result.orders_for([builder["minmax"]]).due_bucket.tolist() == [2]
    # (r, Q): IP 8 at bucket 1 -> one lot of 15 (23 > 10); after 33 more, IP -10 at bucket 2 -> two lots
    assert planned(result, builder["rq"])[0] == [(1, 15.0), (2, 30.0)]


def test_limits_raise_round_and_split_the_policys_order() -> None:
    builder = Builder(weeks=4)
    builder.node(
        "item",
        policy="min_max",
        reorder_point=10,
        order_up_to=97,
        min_order_quantity=20,
        order_multiple=10,
        max_order_quantity=40,
    )
    builder.demand("item", 0, 5)
    builder.stock("item", 5)  # IP 5 at bucket 0: up to 97 is 92, rounded to 100, split 40 + 40 + 20
    result = plan(builder.build())
    orders = result.orders_for([builder["item"]])
    assert orders.quantity.tolist() == [40.0, 40.0, 20.0]
    assert orders.release_bucket.tolist() == [0, 0, 0]
    assert planned(result, builder["item"])[0] == [(0, 40.0), (0, 40.0), (0, 20.0)]


def test_no_order_falls_due_inside_the_frozen_fence_and_the_next_review_orders_the_shortfall() -> None:
    builder = Builder(weeks=6, settings={"frozen_buckets": 2})
    builder.node("item", policy="min_max", reorder_point=10, order_up_to=40, lead_time=0.0)
    builder.stock("item", 5)
    builder.demand("item", 0, 3)
    builder.demand("item", 1, 7)
    result = plan(builder.build())
    # reviews 0 and 1 would order due in 0 and 1 (frozen); review 2 sees IP 5 - 10 = -5 and orders 45
    assert planned(result, builder["item"])[0] == [(2, 45.0)]


def test_an_order_released_at_a_review_keeps_that_release_bucket_for_any_lead_time_in_days() -> None:
    for days in range(0, 16):
        builder = Builder(weeks=12, holidays=(week(5, 2),))
        builder.node("item", policy="min_max", reorder_point=100, order_up_to=120, review_weeks=2, lead_time=days)
        for t in range(12):
            builder.demand("item", t, 10)
        orders = plan(builder.build()).orders_for([0])
        assert len(orders) > 0
        assert (orders.release_bucket % 2 == 0).all(), days
        assert np.unique(orders.release_bucket).size == len(orders)
        release_date = orders.release_date.astype("datetime64[D]")
        assert (release_date >= week(0) + 7 * orders.release_bucket.astype("timedelta64[D]")).all()


def test_safety_stock_does_not_change_a_policy_nodes_plan() -> None:
    plans = []
    for safety in (0.0, 50.0):
        builder = Builder(weeks=8)
        builder.node("item", policy="reorder_point", reorder_point=12, order_quantity=20, safety_stock=safety)
        for t in range(8):
            builder.demand("item", t, 9)
        plans.append(plan(builder.build()))
    np.testing.assert_array_equal(plans[0].planned_order_receipts, plans[1].planned_order_receipts)
    np.testing.assert_array_equal(plans[0].net_requirements, plans[1].net_requirements)
    assert plans[0].planned_order_receipts.sum() > 0


def test_a_made_policy_node_explodes_its_orders_in_the_release_bucket() -> None:
    builder = Builder(weeks=6)
    builder.node("bike", policy="min_max", reorder_point=0, order_up_to=30, lead_time=10.0)
    builder.node("frame")
    builder.bom("bike", ("frame", 2.0))
    builder.stock("bike", 1)
    builder.demand("bike", 0, 5)
    result = plan(builder.build())
    assert planned(result, builder["bike"])[0] == [(1, 34.0)]  # IP -4 at bucket 1: order 34, due in bucket 3
    assert result.orders_for([builder["bike"]]).due_bucket.tolist() == [3]
    assert result.gross_requirements[builder["frame"]].tolist() == [0.0, 68.0, 0.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"policy": ["min_max"], "order_up_to": [5.0]}, "reorder_point"),
        ({"policy": ["reorder_point"], "reorder_point": [5.0]}, "order_quantity"),
        ({"policy": ["reorder_point"], "reorder_point": [5.0], "order_quantity": [0.0]}, "order_quantity"),
        ({"policy": ["min_max"], "reorder_point": [5.0]}, "order_up_to"),
        ({"policy": ["min_max"], "reorder_point": [5.0], "order_up_to": [4.0]}, "order_up_to"),
        ({"policy": ["min_max"], "reorder_point": [5.0], "order_up_to": [9.0], "review_weeks": [0]}, "review_weeks"),
        ({"policy": ["min_max"], "reorder_point": [5.0], "order_up_to": [9.0], "review_weeks": [1.5]}, "review_weeks"),
        ({"policy": ["periodic"]}, "policy"),
        ({"policy": [3]}, "policy"),
        ({"policy": [1.5]}, "policy"),
        (
            {"policy": [2], "reorder_point": [1.0], "order_up_to": [2.0], "phantom": [True], "procurement": [0]},
            "policy",
        ),
    ],
)
def test_a_policy_without_its_parameters_is_refused_naming_the_field(
    fields: dict[str, list[object]], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        Nodes.of(item=[0], **fields)  # type: ignore[arg-type]
    assert error.value.field == field


def test_policy_words_codes_and_none_read_alike() -> None:
    words = Nodes.of(
        item=[0, 1, 2],
        policy=[None, "reorder_point", ReplenishmentPolicy.MIN_MAX],
        reorder_point=[math.nan, 3.0, 4.0],
        order_quantity=[math.nan, 5.0, math.nan],
        order_up_to=[math.nan, math.nan, 8.0],
        review_weeks=[math.nan, 2, 1],
    )
    codes = Nodes.of(
        item=[0, 1, 2],
        policy=np.array([0, 1, 2]),
        reorder_point=[math.nan, 3.0, 4.0],
        order_quantity=[math.nan, 5.0, math.nan],
        order_up_to=[math.nan, math.nan, 8.0],
    )
    floats = Nodes.of(
        item=[0, 1, 2],
        policy=np.array([math.nan, 1.0, 2.0]),
        reorder_point=[math.nan, 3.0, 4.0],
        order_quantity=[math.nan, 5.0, math.nan],
        order_up_to=[math.nan, math.nan, 8.0],
    )
    assert words.policy.tolist() == codes.policy.tolist() == floats.policy.tolist() == [0, 1, 2]
    assert words.review_weeks.tolist() == [1, 2, 1]
    plain = Nodes.of(item=[0, 1])
    assert plain.policy.tolist() == [0, 0]
    assert np.isnan(plain.reorder_point).all() and plain.review_weeks.tolist() == [1, 1]


def simulated_cost(cases: list[Case], *, holding: float, backorder: float, fixed: float, warm_up: int) -> np.ndarray:
    """Cost per bucket of each node's MRP plan after ``warm_up`` buckets (the convention of the policy engine's
    simulation): ``h`` x end-of-bucket on-hand + ``p`` x end-of-bucket backorders + ``K`` x orders released.

    Orders are counted over the reviews whose order falls due in the horizon (``warm_up .. T - L - 1``).
    """
    result = plan(build(cases))
    horizon, lead = cases[0].demand.size, cases[0].lead
    level = result.projected_on_hand[:, warm_up:]
    orders = result.orders
    counted = orders.release_bucket >= warm_up
    per_node = np.bincount(orders.node[counted], minlength=len(cases)) / (horizon - lead - warm_up)
    stock_cost = holding * np.maximum(level, 0.0) + backorder * np.maximum(-level, 0.0)
    cost: np.ndarray = stock_cost.mean(axis=1) + fixed * per_node
    return cost


def streams(law: Demand, count: int, horizon: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return list(law.sample(rng, (count, horizon)))


@pytest.mark.parametrize(
    "law", [Demand.of(DemandDistribution.POISSON, 4.0), Demand.of(DemandDistribution.NORMAL, 20.0, 6.0)]
)
def test_the_cost_of_mrps_min_max_plans_is_the_cost_the_policy_engine_predicts(law: Demand) -> None:
    holding, fixed, lead, horizon, warm_up = 1.0, 40.0, 2, 150, 30
    policy = least_cost_ss(
        law, measure=ServiceMeasure.FILL_RATE, target=0.95, holding_cost=holding, fixed_cost=fixed, lead_time=lead
    )
    cases = [
        Case(
            policy=ReplenishmentPolicy.MIN_MAX,
            reorder_point=policy.reorder_point,
            order_quantity=math.nan,
            order_up_to=policy.order_up_to,
            review=1,
            lead=lead,
            on_hand=policy.order_up_to,
            allocated=0.0,
            receipt=None,
            demand=demand,
        )
        for demand in streams(law, 300, horizon, seed=7)
    ]
    cost = simulated_cost(cases, holding=holding, backorder=policy.stockout_cost, fixed=fixed, warm_up=warm_up)
    error = cost.std(ddof=1) / math.sqrt(cost.size)
    assert abs(cost.mean() - policy.cost) <= 3 * error, (cost.mean(), policy.cost, error)
    assert error < 0.05 * policy.cost  # the check is tight enough to mean something


def test_the_cost_of_mrps_reorder_point_plans_is_the_cost_the_policy_engine_predicts() -> None:
    """(r, Q) reviewed every bucket: the inventory position after ordering is uniform on ``r + 1 .. r + Q``
    (Hadley & Whitin) and covers ``L + 1`` buckets of demand; an order is placed in a bucket with probability
    ``E[min(D, Q)] / Q``, which is rq.py's ``lambda / Q`` while a bucket's demand stays below Q (here
    P(D > Q) < 1e-6)."""
    rate, holding, fixed, lead, horizon, warm_up = 4.0, 1.0, 40.0, 1, 150, 30
    policy = least_cost_rq(
        Demand.of(DemandDistribution.POISSON, rate * (lead + 1)),
        measure=ServiceMeasure.FILL_RATE,
        target=0.95,
        holding_cost=holding,
        fixed_cost=fixed,
        demand_rate=rate,
    )
    reorder_point, quantity = float(policy.reorder_point[0]), float(policy.order_quantity[0])
    assert quantity >= 15
    cases = [
        Case(
            policy=ReplenishmentPolicy.REORDER_POINT,
            reorder_point=reorder_point,
            order_quantity=quantity,
            order_up_to=math.nan,
            review=1,
            lead=lead,
            on_hand=reorder_point + quantity,
            allocated=0.0,
            receipt=None,
            demand=demand,
        )
        for demand in streams(Demand.of(DemandDistribution.POISSON, rate), 300, horizon, seed=11)
    ]
    cost = simulated_cost(cases, holding=holding, backorder=0.0, fixed=fixed, warm_up=warm_up)
    error = cost.std(ddof=1) / math.sqrt(cost.size)
    predicted = float(policy.cost[0])
    assert abs(cost.mean() - predicted) <= 3 * error, (cost.mean(), predicted, error)
    assert error < 0.05 * predicted


@pytest.mark.parametrize(
    ("policy", "lead", "review"),
    [
        (Replenishment.continuous(reorder_point=9, order_quantity=12), 2, 1),
        (Replenishment.continuous(reorder_point=3, order_quantity=7), 0, 1),
        (Replenishment.periodic(reorder_point=10, order_up_to=30, review_period=1), 1, 1),
        (Replenishment.periodic(reorder_point=14, order_up_to=26, review_period=3), 3, 3),
        (Replenishment.periodic(reorder_point=20, order_up_to=20, review_period=2), 0, 2),
    ],
)
def test_mrp_plans_on_the_policy_simulations_demand_reproduce_its_results(
    policy: Replenishment, lead: int, review: int
) -> None:
    """The same demand streams as :func:`simulate` (its seed, drawn the way it draws them), planned by MRP,
    give the simulation's on-hand, backorders, orders and cost per period to rounding: the same orders.

    A continuous (r, nQ) order placed after the demand of period ``t`` is MRP's order released at the
    start of ``t + 1``, so MRP counts orders released in ``warm_up + 1 .. warm_up + periods``; the
    horizon runs ``lead + 1`` buckets past the simulated periods so that those orders fall due in it.
    """
    law, periods, replications, warm_up, seed = Demand.of(DemandDistribution.POISSON, 4.0), 120, 12, 20, 5
    costs = {"holding_cost": 1.0, "stockout_cost": 9.0, "fixed_cost": 30.0}
    result = simulate(
        policy, law, lead_time=lead, periods=periods, replications=replications, warm_up=warm_up, seed=seed, **costs
    )
    draws = law.sample(np.random.default_rng(seed), (replications, warm_up + periods))
    extra = np.zeros((replications, lead + 1))
    continuous = policy.is_continuous
    cases = [
        Case(
            policy=ReplenishmentPolicy.REORDER_POINT if continuous else ReplenishmentPolicy.MIN_MAX,
            reorder_point=policy.reorder_point,
            order_quantity=policy.order_quantity if continuous else math.nan,
            order_up_to=math.nan if continuous else policy.order_up_to,
            review=review,
            lead=lead,
            on_hand=policy.reorder_point + policy.order_quantity if continuous else policy.order_up_to,
            allocated=0.0,
            receipt=None,
            demand=demand,
        )
        for demand in np.concatenate([draws, extra], axis=1)
    ]
    mrp = plan(build(cases))
    measured = slice(warm_up, warm_up + periods)
    level = mrp.projected_on_hand[:, measured]
    first = warm_up + int(continuous)
    counted = (mrp.orders.release_bucket >= first) & (mrp.orders.release_bucket < first + periods)
    orders = np.bincount(mrp.orders.node[counted], minlength=replications) / periods
    on_hand, backorders = np.maximum(level, 0.0).mean(axis=1), np.maximum(-level, 0.0).mean(axis=1)
    cost = costs["holding_cost"] * on_hand + costs["stockout_cost"] * backorders + costs["fixed_cost"] * orders
    assert orders.mean() > 0.05
    assert on_hand.mean() == pytest.approx(result.on_hand.mean, rel=1e-9)
    assert backorders.mean() == pytest.approx(result.backorders.mean, rel=1e-9, abs=1e-12)
    assert orders.mean() == pytest.approx(result.orders_per_period.mean, rel=1e-9)
    assert cost.mean() == pytest.approx(result.cost_per_period.mean, rel=1e-9)

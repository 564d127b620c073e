"""Loss functions, lead-time demand and the choice of distribution."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from plantops.engines.policy import Demand, choose_distribution, lead_time_demand
from plantops.errors import ValidationError
from plantops.vocabulary import DemandDistribution


@pytest.mark.parametrize(("kind", "mean", "std"), [("normal", 50, 8), ("gamma", 12, 9), ("gamma", 3, 1)])
@pytest.mark.parametrize("x", [-4.0, 0.0, 9.5, 55.0])
def test_continuous_loss_functions_match_their_integrals(kind: str, mean: float, std: float, x: float) -> None:
    demand = Demand.of(kind, mean, std)
    law = stats.norm(mean, std) if kind == "normal" else stats.gamma((mean / std) ** 2, scale=std**2 / mean)
    low, high = law.ppf(1e-14), law.ppf(1 - 1e-14)

    first = integrate.quad(lambda d: max(d - x, 0.0) * law.pdf(d), low, high, limit=200)[0]
    second = integrate.quad(lambda d: 0.5 * max(d - x, 0.0) ** 2 * law.pdf(d), low, high, limit=200)[0]

    assert demand.loss(x)[0] == pytest.approx(first, rel=1e-7, abs=1e-9)
    assert demand.second_loss(x)[0] == pytest.approx(second, rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("x", [-3, 0, 2, 6, 15])
def test_poisson_loss_functions_match_their_sums(x: int) -> None:
    demand = Demand.of("poisson", 6.0)
    values = np.arange(0, 200)
    pmf = stats.poisson.pmf(values, 6.0)

    first = float(np.sum(np.maximum(values - x, 0) * pmf))
    second = float(np.sum(0.5 * np.maximum(values - x, 0) * np.maximum(values - x - 1, 0) * pmf))

    assert demand.loss(x)[0] == pytest.approx(first)
    assert demand.second_loss(x)[0] == pytest.approx(second)
    assert demand.second_loss(x)[0] == pytest.approx(sum(demand.loss(y)[0] for y in range(x + 1, 200)))


def test_lead_time_demand_adds_the_variance_of_a_random_lead_time() -> None:
    weekly = Demand.of("normal", [40.0], [10.0])

    over_lead = lead_time_demand(weekly, 3.0, 0.5)

    assert over_lead.mean[0] == pytest.approx(120.0)
    assert over_lead.std[0] == pytest.approx(np.sqrt(3 * 100 + 40**2 * 0.25))


def test_poisson_demand_refuses_a_varying_lead_time() -> None:
    with pytest.raises(ValidationError, match="lead_time_std"):
        lead_time_demand(Demand.of("poisson", 4.0), 2.0, 0.5)


def test_deterministic_rows_have_the_loss_of_a_constant() -> None:
    demand = Demand.of("gamma", [10.0, 10.0], [0.0, 3.0])

    assert demand.loss([7.0, 7.0])[0] == pytest.approx(3.0)
    assert demand.cdf([9.99, 10.0])[0] == 0.0
    assert demand.ppf([0.3, 0.3])[0] == 10.0


def test_lattice_laws_keep_their_mass_and_mean() -> None:
    for demand, step in (
        (Demand.of("normal", 50, 8), 0.25),
        (Demand.of("gamma", 5, 4), 0.1),
        (Demand.of("poisson", 7), 1),
    ):
        first, probabilities = demand.lattice(step)
        points = (first + np.arange(probabilities.size)) * step

        assert probabilities.sum() == pytest.approx(1.0)
        assert np.dot(points, probabilities) == pytest.approx(demand.mean[0], rel=1e-4)


def test_choose_distribution_follows_the_rule() -> None:
    chosen = choose_distribution(
        mean=[4.0, 4.0, 100.0, 100.0, 4.0, 0.0],
        std=[2.0, 3.5, 20.0, 80.0, 2.0, 0.0],
        counted=[True, True, True, True, False, True],
    )

    assert chosen == [
        DemandDistribution.POISSON,  # counted, small, variance close to the mean
        DemandDistribution.GAMMA,  # too variable for Poisson, coefficient of variation above 0.5
        DemandDistribution.NORMAL,
        DemandDistribution.GAMMA,
        DemandDistribution.NORMAL,  # litres or kilograms are not counted: not Poisson
        DemandDistribution.NORMAL,
    ]


def test_demand_refuses_bad_input_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="std"):
        Demand.of("normal", [1.0, 2.0])
    with pytest.raises(ValidationError, match="mean"):
        Demand.of("gamma", [-1.0], [1.0])
    with pytest.raises(ValidationError, match="mean: has 2 values, expected 3"):
        Demand.of("normal", [1.0, 2.0], [1.0, 1.0, 1.0])


def test_poisson_demand_too_large_for_a_lattice_is_refused_before_taking_gigabytes() -> None:
    """A mean of 200 million per period would need a point per unit: 1.6 GB of probabilities."""
    with pytest.raises(ValidationError, match="choose normal or gamma demand") as refused:
        Demand.of("poisson", 2e8).lattice()
    assert refused.value.field == "distribution"
    first, probabilities = Demand.of("poisson", 1e5).lattice()  # large, and still on whole units
    assert first == 0 and abs(probabilities.sum() - 1.0) < 1e-9

"""ABC by annual value, XYZ by coefficient of variation."""

from __future__ import annotations

import numpy as np
import pytest

from plantops.engines.policy import abc_classes, xyz_classes
from plantops.errors import ValidationError
from plantops.vocabulary import AbcClass, XyzClass


def test_abc_classes_follow_the_cumulative_share_of_value() -> None:
    # shares of 1000: 600, 200, 100, 60, 30, 10 -> cumulative before: 0, .6, .8, .9, .96, .99
    value = [60.0, 600.0, 10.0, 200.0, 30.0, 100.0]

    classes = abc_classes(value, a_share=0.8, b_share=0.95)

    assert classes == [AbcClass.B, AbcClass.A, AbcClass.C, AbcClass.A, AbcClass.C, AbcClass.B]


def test_abc_of_nothing_of_value_is_all_c() -> None:
    assert abc_classes([0.0, 0.0]) == [AbcClass.C, AbcClass.C]


def test_xyz_classes_by_coefficient_of_variation() -> None:
    classes, variation = xyz_classes([10.0, 10.0, 10.0, 0.0], [2.0, 7.0, 15.0, 0.0])

    assert classes == [XyzClass.X, XyzClass.Y, XyzClass.Z, XyzClass.Z]
    assert variation[:3] == pytest.approx([0.2, 0.7, 1.5])
    assert np.isinf(variation[3])


def test_classification_limits_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match="a_share"):
        abc_classes([1.0], a_share=0.9, b_share=0.8)
    with pytest.raises(ValidationError, match="x_limit"):
        xyz_classes([1.0], [1.0], x_limit=1.0, y_limit=0.5)

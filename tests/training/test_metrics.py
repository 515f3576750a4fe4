"""Metrics against hand-computed values, including the paper's I = 0 and U = 0 conventions."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rrsis.training.metrics import (MetricAccumulator, intersection_union, metrics_table,
                                    sample_iou, summarize)


def test_intersection_union_by_hand() -> None:
    pred = np.array([[1, 1], [0, 0]])
    gt = np.array([[1, 0], [1, 0]])
    assert intersection_union(pred, gt) == (1, 3)
    assert intersection_union(torch.tensor(pred), torch.tensor(gt)) == (1, 3)
    assert sample_iou(1, 3) == pytest.approx(1 / 3)


def test_zero_intersection_and_zero_union_score_zero() -> None:
    empty = np.zeros((4, 4), bool)
    full = np.ones((4, 4), bool)
    assert intersection_union(empty, empty) == (0, 0)
    assert sample_iou(0, 0) == 0.0            # U = 0: correctly empty prediction still scores 0
    assert intersection_union(full, empty) == (0, 16)
    assert sample_iou(0, 16) == 0.0           # I = 0


def test_summarize_by_hand() -> None:
    # samples: IoU 1/3, U = 0 (-> 0), IoU 1
    m = summarize([1, 0, 2], [3, 0, 2])
    assert m["count"] == 3
    assert m["oIoU"] == pytest.approx(3 / 5)
    assert m["mIoU"] == pytest.approx((1 / 3 + 0 + 1) / 3)
    assert m["Pr@0.5"] == pytest.approx(1 / 3)
    assert m["Pr@0.9"] == pytest.approx(1 / 3)


def test_precision_threshold_is_inclusive() -> None:
    m = summarize([7, 6], [10, 10])          # IoU 0.7 exactly, and 0.6
    assert m["Pr@0.7"] == 0.5
    assert m["Pr@0.6"] == 1.0
    assert m["Pr@0.8"] == 0.0


def test_accumulator_per_category_and_table() -> None:
    acc = MetricAccumulator()
    acc.add(np.array([1, 1, 0, 0]), np.array([1, 1, 0, 0]), "car")      # 1.0
    acc.add(np.array([1, 0, 0, 0]), np.array([1, 1, 1, 1]), "car")      # 0.25
    acc.add(np.array([0, 0, 0, 0]), np.array([0, 1, 0, 0]), "road")     # 0
    cats = acc.per_category()
    assert cats["car"]["mIoU"] == pytest.approx(0.625)
    assert cats["car"]["oIoU"] == pytest.approx(3 / 6)
    assert cats["road"]["oIoU"] == 0.0
    assert acc.result()["oIoU"] == pytest.approx(3 / 7)
    table = metrics_table({"test": acc.result()})
    assert "| test | 3 |" in table and "42.86" in table

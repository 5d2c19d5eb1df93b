"""dlbook.metrics against a row-by-row reference, on odd shapes, ties and bad input."""

from __future__ import annotations

import re

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor

import dlbook
from dlbook import train
from dlbook.activations import sigmoid
from dlbook.datasets import moons
from dlbook.metrics import accuracy, binary_accuracy
from dlbook.mlp import MLP
from dlbook.perceptron import Perceptron


def reference_accuracy(y_hat: Tensor, y: Tensor) -> float:
    """Row by row in Python: the first index of the largest score, against the label."""
    rows = y_hat.tolist()
    right = [max(range(len(r)), key=lambda k, r=r: (r[k], -k)) == label
             for r, label in zip(rows, y.tolist(), strict=True)]
    return sum(right) / len(right)


def reference_binary_accuracy(logits: Tensor, y: Tensor) -> float:
    """Row by row in Python: class 1 where σ(z) ≥ 1/2."""
    right = [(1 if sigmoid(torch.tensor(z)).item() >= 0.5 else 0) == int(label)
             for z, label in zip(logits.flatten().tolist(), y.flatten().tolist(), strict=True)]
    return sum(right) / len(right)


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# --- accuracy: class scores (B, K) ------------------------------------------------


@pytest.mark.parametrize(("B", "K"), [(1, 2), (7, 3), (13, 10), (64, 5)])
def test_accuracy_matches_the_reference(B: int, K: int) -> None:
    y_hat = torch.randn(B, K, generator=gen(B * K))
    y = torch.randint(0, K, (B,), generator=gen(B + K))
    assert accuracy(y_hat, y).item() == pytest.approx(reference_accuracy(y_hat, y))
    assert accuracy(y_hat, y_hat.argmax(dim=1)).item() == 1.0


def test_accuracy_takes_the_first_class_on_a_tie() -> None:
    y_hat = torch.tensor([[1.0, 1.0, 0.0], [0.0, 2.0, 2.0]])
    assert accuracy(y_hat, torch.tensor([0, 1])).item() == 1.0
    assert accuracy(y_hat, torch.tensor([1, 2])).item() == 0.0


def test_accuracy_is_a_0d_float_tensor_and_the_same_object_everywhere() -> None:
    result = accuracy(torch.randn(5, 3), torch.zeros(5, dtype=torch.long))
    assert result.shape == () and result.dtype == torch.float32
    assert train.accuracy is accuracy and dlbook.accuracy is accuracy
    assert dlbook.binary_accuracy is binary_accuracy


@pytest.mark.parametrize(("scores", "labels"),
                         [((4, 2), (3,)), ((4,), (4,)), ((4, 2, 1), (4,)), ((4, 2), (4, 1))])
def test_accuracy_names_the_expected_and_received_shapes(scores: tuple[int, ...],
                                                         labels: tuple[int, ...]) -> None:
    expected = re.escape(f"accuracy expects scores (B, K) and labels (B,), got {scores} and {labels}")
    with pytest.raises(ValueError, match=expected):
        accuracy(torch.zeros(scores), torch.zeros(labels, dtype=torch.long))


def test_accuracy_as_a_fit_metric_logs_the_validation_accuracy() -> None:
    (X, y), (X_val, y_val) = moons(64, seed=0), moons(32, seed=1)
    model = MLP([2, 8, 2], generator=gen(0))
    history = train.fit(model, (X, y), loss_fn=F.cross_entropy, val_data=(X_val, y_val),
                        metrics={"acc": accuracy}, config=train.FitConfig(num_epochs=2, batch_size=32))
    with torch.no_grad():  # validation runs after the epoch's steps, in one batch of 32
        assert history.metrics["val_acc"][-1] == accuracy(model(X_val), y_val).item()


# --- binary_accuracy: logits (B,) or (B, 1) ---------------------------------------


@pytest.mark.parametrize("B", [1, 2, 7, 33])
@pytest.mark.parametrize("logit_shape", ["(B,)", "(B, 1)"])
@pytest.mark.parametrize("label_shape", ["(B,)", "(B, 1)"])
@pytest.mark.parametrize("label_dtype", [torch.long, torch.float32, torch.bool])
def test_binary_accuracy_matches_the_reference(B: int, logit_shape: str, label_shape: str,
                                               label_dtype: torch.dtype) -> None:
    z = 3 * torch.randn(B, generator=gen(B))
    y = torch.randint(0, 2, (B,), generator=gen(B + 1))
    reference = reference_binary_accuracy(z, y)
    z_in = z if logit_shape == "(B,)" else z.unsqueeze(1)
    y_in = (y if label_shape == "(B,)" else y.unsqueeze(1)).to(label_dtype)
    result = binary_accuracy(z_in, y_in)
    assert result.shape == () and result.dtype == torch.float32
    assert result.item() == pytest.approx(reference)


def test_a_logit_of_zero_is_class_1_as_for_the_perceptron() -> None:
    z = torch.tensor([0.0, -0.0, 1e-30, -1e-30])
    assert binary_accuracy(z, torch.tensor([1, 1, 1, 0])).item() == 1.0
    model = Perceptron(2)  # w = 0, b = 0: every score is exactly 0
    X = torch.randn(5, 2, generator=gen(0))
    predicted = model.predict(X)
    assert binary_accuracy(model.decision(X), predicted).item() == 1.0


def test_binary_accuracy_agrees_with_two_class_accuracy() -> None:
    s = torch.randn(50, 2, generator=gen(3))  # softmax(s)_1 = σ(s_1 − s_0)
    y = torch.randint(0, 2, (50,), generator=gen(4))
    assert binary_accuracy(s[:, 1] - s[:, 0], y).item() == accuracy(s, y).item()


def test_binary_accuracy_ignores_the_graph_and_keeps_float64_signs() -> None:
    z = torch.tensor([-1e-300, 1e-300], dtype=torch.float64, requires_grad=True)  # 0 in float32
    assert binary_accuracy(z, torch.tensor([0, 1])).item() == 1.0


@pytest.mark.parametrize(("logits", "labels"), [((4, 2), (4,)), ((4,), (3,)), ((), ()), ((4, 1), (4, 2)),
                                                ((2, 2, 1), (2,))])
def test_binary_accuracy_names_the_expected_and_received_shapes(logits: tuple[int, ...],
                                                                labels: tuple[int, ...]) -> None:
    expected = re.escape("binary_accuracy expects logits (B,) or (B, 1) and labels (B,) or (B, 1), "
                         f"got {logits} and {labels}")
    with pytest.raises(ValueError, match=expected):
        binary_accuracy(torch.zeros(logits), torch.zeros(labels))


def test_binary_accuracy_refuses_labels_other_than_0_and_1() -> None:
    with pytest.raises(ValueError, match=re.escape("binary_accuracy expects labels 0 and 1, got the values "
                                                   "[0, 1, 2]")):
        binary_accuracy(torch.zeros(3), torch.tensor([0, 1, 2]))

"""dlbook.mlp against PyTorch: Dense against nn.Linear, MLP against its composition, training on XOR."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.func import functional_call

from dlbook.datasets import xor
from dlbook.losses import binary_cross_entropy_with_logits
from dlbook.mlp import MLP, Dense, dead_fraction


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# --- Dense -------------------------------------------------------------------


def test_dense_equals_F_linear_and_nn_linear() -> None:
    layer = Dense(3, 4, generator=gen(0))
    X = torch.randn(5, 3, generator=gen(1))
    torch.testing.assert_close(layer(X), F.linear(X, layer.weight, layer.bias))
    reference = nn.Linear(3, 4)
    with torch.no_grad():
        reference.weight.copy_(layer.weight)
        reference.bias.copy_(layer.bias)
    torch.testing.assert_close(layer(X), reference(X))
    assert layer.weight.shape == (4, 3) and layer.bias.shape == (4,)


def test_dense_initialisation_matches_nn_linear_under_the_same_seed() -> None:
    torch.manual_seed(11)
    layer = Dense(6, 2)
    torch.manual_seed(11)
    reference = nn.Linear(6, 2)
    torch.testing.assert_close(layer.weight, reference.weight)
    torch.testing.assert_close(layer.bias, reference.bias)


def test_dense_initialisation_bound_and_generator() -> None:
    layer = Dense(16, 200, generator=gen(2))
    bound = 1 / 16**0.5
    assert layer.weight.abs().max() <= bound and layer.bias.abs().max() <= bound
    assert layer.weight.abs().max() > 0.9 * bound  # fills the range, not a narrower one
    torch.testing.assert_close(Dense(16, 200, generator=gen(2)).weight, layer.weight)
    assert not torch.equal(Dense(16, 200, generator=gen(3)).weight, layer.weight)


@pytest.mark.parametrize("activation, expected", [("tanh", torch.tanh), ("relu", F.relu),
                                                  ("sigmoid", torch.sigmoid), (torch.sin, torch.sin)])
def test_dense_applies_its_activation(
    activation: str | Callable[[Tensor], Tensor], expected: Callable[[Tensor], Tensor]
) -> None:
    layer = Dense(3, 4, activation=activation, generator=gen(0))
    X = torch.randn(5, 3, generator=gen(1))
    torch.testing.assert_close(layer(X), expected(F.linear(X, layer.weight, layer.bias)))


@pytest.mark.parametrize("shape", [(3, 5, 5), (4,), (2, 4)])
def test_dense_shape_error_names_expected_and_got(shape: tuple[int, ...]) -> None:
    message = f"Dense(3 -> 4) expects X of shape (B, 3), got {shape}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Dense(3, 4)(torch.ones(shape))


def test_dense_rejects_bad_options() -> None:
    with pytest.raises(ValueError, match="in_features to be a positive int"):
        Dense(0, 3)
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        Dense(2, 3, activation="gelu")


# --- MLP ---------------------------------------------------------------------


def test_mlp_equals_the_composition_written_out() -> None:
    model = MLP([2, 4, 3, 1], activation="tanh", output_activation="sigmoid", generator=gen(0))
    assert len(model.layers) == 3
    X = torch.randn(6, 2, generator=gen(1))
    W1, b1 = model.layers[0].weight, model.layers[0].bias
    W2, b2 = model.layers[1].weight, model.layers[1].bias
    W3, b3 = model.layers[2].weight, model.layers[2].bias
    H1 = torch.tanh(X @ W1.T + b1)  # (6, 4)
    H2 = torch.tanh(H1 @ W2.T + b2)  # (6, 3)
    expected = torch.sigmoid(H2 @ W3.T + b3)  # (6, 1)
    torch.testing.assert_close(model(X), expected)


def test_mlp_default_output_is_linear_and_hidden_is_relu() -> None:
    model = MLP([3, 5, 2], generator=gen(0))
    X = torch.randn(4, 3, generator=gen(1))
    layer1, layer2 = model.layers
    expected = F.linear(F.relu(F.linear(X, layer1.weight, layer1.bias)), layer2.weight, layer2.bias)
    torch.testing.assert_close(model(X), expected)


def test_forward_with_shapes() -> None:
    model = MLP([2, 4, 1], activation="tanh", output_activation="sigmoid", generator=gen(0))
    X = torch.randn(7, 2, generator=gen(1))
    y_hat, steps = model.forward_with_shapes(X)
    torch.testing.assert_close(y_hat, model(X))
    assert steps == [
        ("X", (7, 2)),
        ("layer 1: Z = X @ W.T + b", (7, 4)),
        ("layer 1: tanh(Z)", (7, 4)),
        ("layer 2: Z = X @ W.T + b", (7, 1)),
        ("layer 2: sigmoid(Z)", (7, 1)),
    ]


def test_gradients_reach_every_parameter() -> None:
    model = MLP([2, 4, 1], activation="tanh", generator=gen(0))
    X = torch.randn(8, 2, generator=gen(1))
    model(X).pow(2).sum().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_gradcheck_in_float64() -> None:
    model = MLP([3, 4, 2], activation="tanh", output_activation="sigmoid", generator=gen(0)).double()
    names = [name for name, _ in model.named_parameters()]
    params = tuple(p.detach().clone().requires_grad_(True) for p in model.parameters())
    X = torch.randn(5, 3, generator=gen(1), dtype=torch.float64, requires_grad=True)

    def f(X: Tensor, *ps: Tensor) -> Tensor:
        return functional_call(model, dict(zip(names, ps, strict=True)), (X,))

    assert torch.autograd.gradcheck(f, (X, *params))


def test_mlp_rejects_too_few_sizes_and_bad_input() -> None:
    with pytest.raises(ValueError, match="at least 2 entries"):
        MLP([3])
    with pytest.raises(ValueError, match=r"Dense\(2 -> 4\) expects X of shape \(B, 2\), got \(5, 3\)"):
        MLP([2, 4, 1])(torch.ones(5, 3))


def test_mlp_learns_xor_with_plain_sgd() -> None:
    X, y = xor(4, noise=0.0)
    model = MLP([2, 4, 1], activation="tanh", generator=gen(0))  # linear output: logits
    lr = 0.5
    for _ in range(300):
        z = model(X).squeeze(1)  # (4, 1) -> (4,)
        loss = binary_cross_entropy_with_logits(z, y.float())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad  # θ ← θ − η ∇_θ J
    y_hat = (model(X).squeeze(1) > 0).long()
    assert (y_hat == y).float().mean().item() == 1.0
    assert loss.item() < 0.1


# --- dead_fraction -------------------------------------------------------------


def reference_dead_fraction(model: MLP, X: Tensor) -> list[float]:
    """With forward hooks on the hidden layers: units whose ReLU output is 0 on every row."""
    outputs: list[Tensor] = []
    hooks = [layer.register_forward_hook(lambda m, i, out: outputs.append(out))
             for layer in model.layers[:-1]]
    with torch.no_grad():
        model(X)
    for h in hooks:
        h.remove()
    return [(out == 0).all(dim=0).float().mean().item() for out in outputs]


@pytest.mark.parametrize("shift", [0.0, -0.5, -1.0, -3.0])
def test_dead_fraction_matches_the_relu_outputs(shift: float) -> None:
    X, _ = xor(64, seed=0)
    model = MLP([2, 16, 8, 1], activation="relu", generator=gen(0))
    with torch.no_grad():
        for layer in model.layers[:-1]:
            layer.bias += shift  # a lower bias kills more units
    dead = dead_fraction(model, X)
    assert len(dead) == 2 and all(0.0 <= d <= 1.0 for d in dead)
    assert dead == pytest.approx(reference_dead_fraction(model, X))


def test_dead_units_get_no_gradient() -> None:
    X, y = xor(64, seed=0)
    model = MLP([2, 32, 1], activation="relu", generator=gen(1))
    with torch.no_grad():
        model.layers[0].bias[:10] = -100.0  # units 0-9 can never be positive on this data (|x| < 2)
        model.layers[0].bias[10:] = 100.0  # and the others always are
    assert dead_fraction(model, X) == [pytest.approx(10 / 32)]
    binary_cross_entropy_with_logits(model(X).squeeze(1), y.float()).backward()
    grad = model.layers[0].weight.grad
    assert grad is not None
    assert grad[:10].abs().max() == 0 and grad[10:].abs().max() > 0


def test_dead_fraction_is_empty_without_hidden_layers_and_leaves_grad_alone() -> None:
    X, _ = xor(8, seed=0)
    assert dead_fraction(MLP([2, 1]), X) == []
    assert not any(p.grad is not None for p in MLP([2, 4, 1]).parameters())

"""dlbook.backprop: hand-written gradients against torch.autograd, and gradcheck on each piece."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import torch
from torch import Tensor
from torch.autograd import gradcheck

from dlbook.backprop import (
    LinearCache,
    Params,
    activation_backward,
    activation_forward,
    activations_from_mlp,
    linear_backward,
    linear_forward,
    mlp_forward_backward,
    mse_backward,
    params_from_mlp,
    sgd_step,
)
from dlbook.losses import mse
from dlbook.mlp import MLP

F64 = torch.float64
ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu"]


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/library/conftest.py


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(*shape: int, seed: int, requires_grad: bool = False) -> Tensor:
    return torch.randn(*shape, generator=gen(seed), dtype=F64).requires_grad_(requires_grad)


def assert_close(actual: Tensor, expected: Tensor) -> None:
    # torch.allclose rather than torch.testing.assert_close, whose first call costs ~1 s
    assert actual.shape == expected.shape, f"shape {tuple(actual.shape)} != {tuple(expected.shape)}"
    assert torch.allclose(actual, expected, rtol=1e-10, atol=1e-12), f"\n{actual}\n!=\n{expected}"


# --- One layer ---------------------------------------------------------------------


def test_linear_forward_and_backward_match_autograd() -> None:
    X, W, b = randn(5, 3, seed=0, requires_grad=True), randn(4, 3, seed=1, requires_grad=True), \
        randn(4, seed=2, requires_grad=True)
    Z, cache = linear_forward(X, W, b)
    assert_close(Z, torch.nn.functional.linear(X, W, b))
    dZ = randn(5, 4, seed=3)  # any upstream gradient ∂L/∂Z
    (Z * dZ).sum().backward()  # a loss whose ∂L/∂Z is exactly dZ
    dX, dW, db = linear_backward(dZ, cache)
    for manual, auto in ((dX, X.grad), (dW, W.grad), (db, b.grad)):
        assert auto is not None
        assert_close(manual, auto)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_activation_backward_matches_autograd(activation: str) -> None:
    Z = randn(6, 4, seed=4, requires_grad=True)
    A, cache = activation_forward(Z, activation=activation)
    reference = {"linear": lambda t: t, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
    assert_close(A, reference[activation](Z))
    dA = randn(6, 4, seed=5)
    (A * dA).sum().backward()
    assert Z.grad is not None
    assert_close(activation_backward(dA, cache), Z.grad)


def test_mse_backward_matches_autograd() -> None:
    y_hat, y = randn(7, 2, seed=6, requires_grad=True), randn(7, 2, seed=7)
    mse(y_hat, y).backward()
    assert y_hat.grad is not None
    assert_close(mse_backward(y_hat.detach(), y), y_hat.grad)


# --- gradcheck: the manual backward wrapped as a torch.autograd.Function ----------------


class ManualLinear(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, X: Tensor, W: Tensor, b: Tensor) -> Tensor:
        Z, _ = linear_forward(X, W, b)
        ctx.save_for_backward(X, W)
        return Z

    @staticmethod
    def backward(ctx: Any, dZ: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        X, W = ctx.saved_tensors
        return linear_backward(dZ, LinearCache(X=X, W=W))


class ManualActivation(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, Z: Tensor, activation: str) -> Tensor:
        A, cache = activation_forward(Z, activation=activation)
        ctx.cache = cache
        return A

    @staticmethod
    def backward(ctx: Any, dA: Tensor) -> tuple[Tensor, None]:
        return activation_backward(dA, ctx.cache), None


class ManualMLPLoss(torch.autograd.Function):
    """loss = mse(MLP(X), y) with the gradients of mlp_forward_backward, for the parameters."""

    @staticmethod
    def forward(ctx: Any, activations: tuple[str, ...], X: Tensor, y: Tensor, *flat: Tensor) -> Tensor:
        params = list(zip(flat[0::2], flat[1::2], strict=True))
        loss, grads = mlp_forward_backward(params, X, y, activations=activations)
        ctx.save_for_backward(*(g for pair in grads for g in pair))
        return loss

    @staticmethod
    def backward(ctx: Any, grad_loss: Tensor) -> tuple[Any, ...]:
        return (None, None, None, *(grad_loss * g for g in ctx.saved_tensors))


def test_gradcheck_linear() -> None:
    inputs = (randn(4, 3, seed=8, requires_grad=True), randn(2, 3, seed=9, requires_grad=True),
              randn(2, seed=10, requires_grad=True))
    assert gradcheck(ManualLinear.apply, inputs)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradcheck_activation(activation: str) -> None:
    Z = randn(3, 4, seed=11)
    Z = (Z + 0.1 * Z.sign()).requires_grad_()  # keep relu's kink out of the finite differences
    assert gradcheck(lambda t: ManualActivation.apply(t, activation), (Z,))


def test_gradcheck_whole_mlp() -> None:
    sizes = [3, 4, 2]
    flat = [randn(*shape, seed=20 + i, requires_grad=True)
            for i, shape in enumerate([(4, 3), (4,), (2, 4), (2,)])]
    X, y = randn(5, sizes[0], seed=30), randn(5, sizes[-1], seed=31)
    assert gradcheck(lambda *p: ManualMLPLoss.apply(("tanh", "sigmoid"), X, y, *p), tuple(flat))


# --- A whole MLP against autograd ------------------------------------------------------


@pytest.mark.parametrize("sizes, activation, output_activation, seed", [
    ([3, 5, 2], "tanh", "linear", 0),
    ([2, 4, 4, 1], "relu", "sigmoid", 1),
    ([4, 3, 3, 3, 2], "sigmoid", "tanh", 2),
    ([3, 1], "linear", "linear", 3),
])
def test_mlp_gradients_match_autograd(sizes: list[int], activation: str, output_activation: str,
                                      seed: int) -> None:
    model = MLP(sizes, activation=activation, output_activation=output_activation,
                generator=gen(seed)).double()
    X, y = randn(8, sizes[0], seed=seed + 100), randn(8, sizes[-1], seed=seed + 200)
    loss, grads = mlp_forward_backward(params_from_mlp(model), X, y, activations=activations_from_mlp(model))
    reference = mse(model(X), y)
    reference.backward()
    assert_close(loss, reference.detach())
    assert len(grads) == len(model.layers)
    for (dW, db), layer in zip(grads, model.layers, strict=True):
        assert_close(dW, layer.weight.grad)
        assert_close(db, layer.bias.grad)


def test_sgd_step_matches_torch_optim_and_trains_the_model_in_place() -> None:
    model = MLP([2, 3, 1], activation="tanh", generator=gen(5)).double()
    twin = copy.deepcopy(model)
    X, y = randn(6, 2, seed=40), randn(6, 1, seed=41)
    params = params_from_mlp(model)
    _, grads = mlp_forward_backward(params, X, y, activations=activations_from_mlp(model))
    sgd_step(params, grads, lr=0.1)
    optimizer = torch.optim.SGD(twin.parameters(), lr=0.1)
    mse(twin(X), y).backward()
    optimizer.step()
    for a, b in zip(model.parameters(), twin.parameters(), strict=True):
        assert_close(a.detach(), b.detach())  # model itself moved: params share its storage


def test_manual_training_reduces_the_loss() -> None:
    model = MLP([2, 8, 1], activation="tanh", generator=gen(6)).double()
    X = randn(32, 2, seed=50)
    y = (X[:, :1] * X[:, 1:]).sin()  # a smooth target
    params, activations = params_from_mlp(model), activations_from_mlp(model)
    losses = []
    for _ in range(100):
        loss, grads = mlp_forward_backward(params, X, y, activations=activations)
        sgd_step(params, grads, lr=0.5)
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


# --- Clear errors ------------------------------------------------------------------------


def test_bad_input_fails_with_a_clear_message() -> None:
    X, W, b = torch.ones(2, 3), torch.ones(4, 3), torch.ones(4)
    with pytest.raises(ValueError, match=re.escape("got X (2, 3), W (4, 2), b (4,)")):
        linear_forward(X, torch.ones(4, 2), b)
    _, cache = linear_forward(X, W, b)
    with pytest.raises(ValueError, match=re.escape("dZ of shape (B, out) = (2, 4), got (2, 3)")):
        linear_backward(torch.ones(2, 3), cache)
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        activation_forward(X, activation="softmax")
    _, act_cache = activation_forward(X, activation="tanh")
    with pytest.raises(ValueError, match=re.escape("dA of shape (2, 3), got (3, 2)")):
        activation_backward(torch.ones(3, 2), act_cache)
    with pytest.raises(ValueError, match=re.escape("same shape, got (2, 1) and (2,)")):
        mse_backward(torch.ones(2, 1), torch.ones(2))
    params: Params = [(W, b)]
    with pytest.raises(ValueError, match="single string 'tanh'"):
        mlp_forward_backward(params, X, torch.ones(2, 4), activations="tanh")
    with pytest.raises(ValueError, match="1 layers, got 2 activations"):
        mlp_forward_backward(params, X, torch.ones(2, 4), activations=["tanh", "linear"])
    with pytest.raises(ValueError, match="positive finite lr, got -0.1"):
        sgd_step(params, params, lr=-0.1)
    with pytest.raises(ValueError, match=re.escape("got W (4, 3) with dW (3, 4)")):
        sgd_step(params, [(W.T, b)], lr=0.1)
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        activations_from_mlp(MLP([2, 3], output_activation="softmax"))

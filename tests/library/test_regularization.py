"""Dropout, the L2 penalty and decoupled weight decay against PyTorch's own versions."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from dlbook.mlp import MLP
from dlbook.regularization import Dropout, DropoutMLP, decay_weights_, dropout, l2_penalty


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.9])
def test_dropout_draws_the_mask_of_torch_dropout(p: float) -> None:
    X = torch.randn(16, 32)
    torch.manual_seed(7)
    expected = F.dropout(X, p, training=True)
    torch.manual_seed(7)
    torch.testing.assert_close(dropout(X, p), expected)


def test_dropout_scales_survivors_and_keeps_the_mean() -> None:
    X = torch.ones(200_000)
    g = torch.Generator().manual_seed(0)
    out = dropout(X, 0.25, generator=g)
    survivors = out[out != 0]
    torch.testing.assert_close(survivors, torch.full_like(survivors, 1 / 0.75))
    assert abs(survivors.numel() / X.numel() - 0.75) < 0.01  # about 1 − p survive
    assert abs(out.mean().item() - 1.0) < 0.01  # E[x̃] = x


def test_dropout_gradient_is_the_scaled_mask() -> None:
    X = torch.randn(8, 5, dtype=torch.float64, requires_grad=True)
    torch.manual_seed(1)
    out = dropout(X, 0.4)
    out.sum().backward()
    assert X.grad is not None
    torch.testing.assert_close(X.grad, (out != 0).double() / 0.6)


def test_dropout_layer_follows_train_and_eval_like_nn_dropout() -> None:
    X = torch.randn(4, 10)
    ours, theirs = Dropout(0.5), torch.nn.Dropout(0.5)
    ours.eval(), theirs.eval()
    assert torch.equal(ours(X), X) and torch.equal(theirs(X), X)
    ours.train(), theirs.train()
    torch.manual_seed(3)
    a = ours(X)
    torch.manual_seed(3)
    torch.testing.assert_close(a, theirs(X))
    assert not torch.equal(a, X)
    assert torch.equal(dropout(X, 0.0), X) and torch.equal(dropout(X, 1.0), torch.zeros_like(X))


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan"), True, "0.5"])
def test_dropout_rejects_bad_probabilities(p: object) -> None:
    with pytest.raises(ValueError, match="expects a drop probability 0 <= p <= 1, got"):
        dropout(torch.ones(3), p)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Dropout expects"):
        Dropout(p)  # type: ignore[arg-type]


def test_dropout_mlp_without_dropout_is_the_mlp() -> None:
    X = torch.randn(5, 6)
    model = DropoutMLP([6, 8, 8, 3], p=0.0, generator=torch.Generator().manual_seed(0))
    plain = MLP([6, 8, 8, 3], generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(model(X), plain(X))
    noisy = DropoutMLP([6, 8, 8, 3], p=0.5, generator=torch.Generator().manual_seed(0))
    assert not torch.allclose(noisy(X), plain(X))  # training mode: units dropped
    noisy.eval()
    torch.testing.assert_close(noisy(X), plain(X))  # evaluation: the same network


def _model_and_data() -> tuple[torch.nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    return torch.nn.Linear(4, 3), torch.randn(16, 4), torch.randint(0, 3, (16,))


def test_l2_penalty_value_and_gradient() -> None:
    w = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    b = torch.randn(3, dtype=torch.float64, requires_grad=True)
    penalty = l2_penalty([w, b], 0.1)
    torch.testing.assert_close(penalty, 0.05 * (w.pow(2).sum() + b.pow(2).sum()))
    penalty.backward()
    assert w.grad is not None
    torch.testing.assert_close(w.grad, 0.1 * w.detach())  # ∇(λ/2)‖w‖² = λw
    with pytest.raises(ValueError, match="weight_decay >= 0, got -1"):
        l2_penalty([w], -1)
    with pytest.raises(ValueError, match="at least one parameter"):
        l2_penalty([], 0.1)


@pytest.mark.parametrize("form", ["penalty", "decoupled"])
def test_both_forms_of_decay_match_sgd_weight_decay(form: str) -> None:
    lam, lr = 0.05, 0.1
    ours, X, y = _model_and_data()
    theirs, _, _ = _model_and_data()
    opt_ours = torch.optim.SGD(ours.parameters(), lr=lr)
    opt_theirs = torch.optim.SGD(theirs.parameters(), lr=lr, weight_decay=lam)
    for _ in range(20):
        loss = F.cross_entropy(ours(X), y)
        if form == "penalty":
            loss = loss + l2_penalty(ours.parameters(), lam)
        opt_ours.zero_grad()
        loss.backward()
        if form == "decoupled":
            decay_weights_(ours.parameters(), lr=lr, weight_decay=lam)
        opt_ours.step()
        opt_theirs.zero_grad()
        F.cross_entropy(theirs(X), y).backward()
        opt_theirs.step()
    for a, b in zip(ours.parameters(), theirs.parameters(), strict=True):
        torch.testing.assert_close(a, b)


def test_decoupled_decay_before_adam_is_adamw_and_differs_from_the_penalty() -> None:
    lam, lr = 0.1, 0.01
    ours, X, y = _model_and_data()
    adamw, _, _ = _model_and_data()
    coupled, _, _ = _model_and_data()
    opt_ours = torch.optim.Adam(ours.parameters(), lr=lr)
    opt_adamw = torch.optim.AdamW(adamw.parameters(), lr=lr, weight_decay=lam)
    opt_coupled = torch.optim.Adam(coupled.parameters(), lr=lr, weight_decay=lam)  # the L2 penalty
    for _ in range(30):
        for model, opt in ((ours, opt_ours), (adamw, opt_adamw), (coupled, opt_coupled)):
            opt.zero_grad()
            F.cross_entropy(model(X), y).backward()
            if model is ours:
                decay_weights_(ours.parameters(), lr=lr, weight_decay=lam)
            opt.step()
    torch.testing.assert_close(ours.weight, adamw.weight)
    assert not torch.allclose(ours.weight, coupled.weight, atol=1e-4)
    with pytest.raises(ValueError, match="lr >= 0"):
        decay_weights_(ours.parameters(), lr=-1.0, weight_decay=lam)

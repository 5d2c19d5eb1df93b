"""dlbook.optim against torch.optim: 100 steps on a small random problem, float64, to 1e-6."""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlbook.optim import SGD, Adam, AdamW, RMSProp

DTYPE = torch.float64
ATOL = RTOL = 1e-6
TWINS: dict[type[torch.optim.Optimizer], type[torch.optim.Optimizer]] = {
    SGD: torch.optim.SGD,
    RMSProp: torch.optim.RMSprop,
    Adam: torch.optim.Adam,
    AdamW: torch.optim.AdamW,
}
MakeOptimizer = Callable[["Net"], torch.optim.Optimizer]


class Net(nn.Module):
    """A one-hidden-layer tanh net with parameters of several shapes, including a 0-d one.

    ``b2`` only takes part on even steps and ``frozen`` never does, so their ``grad``
    is ``None`` on some or all steps, as for a branch not taken or a frozen layer.
    """

    def __init__(self, g: torch.Generator) -> None:
        super().__init__()
        self.W1 = nn.Parameter(torch.randn(6, 4, generator=g, dtype=DTYPE) * 0.5)
        self.b1 = nn.Parameter(torch.randn(6, generator=g, dtype=DTYPE) * 0.1)
        self.W2 = nn.Parameter(torch.randn(3, 6, generator=g, dtype=DTYPE) * 0.5)
        self.b2 = nn.Parameter(torch.randn(3, generator=g, dtype=DTYPE) * 0.1)
        self.scale = nn.Parameter(torch.ones((), dtype=DTYPE))
        self.frozen = nn.Parameter(torch.randn(2, 2, generator=g, dtype=DTYPE))

    def forward(self, X: Tensor, *, use_b2: bool = True) -> Tensor:
        H = torch.tanh(X @ self.W1.T + self.b1)  # (B, 6)
        y_hat = self.scale * (H @ self.W2.T)  # (B, 3)
        return y_hat + self.b2 if use_b2 else y_hat


def by_class(cls: type[torch.optim.Optimizer], **options: Any) -> tuple[MakeOptimizer, MakeOptimizer]:
    """The same options given to a dlbook optimizer and to its torch.optim twin."""
    twin = TWINS[cls]
    return (lambda net: cls(net.parameters(), **options)), (lambda net: twin(net.parameters(), **options))


def train_twins(
    make_ours: MakeOptimizer,
    make_theirs: MakeOptimizer,
    *,
    num_steps: int = 100,
    seed: int = 0,
    scheduler: Callable[[torch.optim.Optimizer], Any] | None = None,
    use_closure: bool = False,
) -> tuple[Net, Net, torch.optim.Optimizer, torch.optim.Optimizer]:
    """Train two identical nets on the same minibatches, one per optimizer."""
    g = torch.Generator().manual_seed(seed)
    model = Net(g)
    twin = copy.deepcopy(model)
    ours, theirs = make_ours(model), make_theirs(twin)
    schedulers = [scheduler(opt) for opt in (ours, theirs)] if scheduler else []
    X = torch.randn(64, 4, generator=g, dtype=DTYPE)
    y = torch.randn(64, 3, generator=g, dtype=DTYPE)
    for t in range(num_steps):
        idx = torch.randint(0, 64, (16,), generator=g)
        for net, opt in ((model, ours), (twin, theirs)):
            def closure(net: Net = net, opt: torch.optim.Optimizer = opt, idx: Tensor = idx,
                        use_b2: bool = t % 2 == 0) -> Tensor:
                opt.zero_grad()  # sets grads to None, so b2 has none on odd steps
                loss = F.mse_loss(net(X[idx], use_b2=use_b2), y[idx])
                loss.backward()
                return loss
            if use_closure:
                loss = opt.step(closure)  # type: ignore[arg-type]
                assert isinstance(loss, Tensor) and loss.requires_grad
            else:
                closure()
                opt.step()
        for s in schedulers:
            s.step()
    return model, twin, ours, theirs


def assert_same_training(model: Net, twin: Net, ours: torch.optim.Optimizer,
                         theirs: torch.optim.Optimizer) -> None:
    for (name, p), q in zip(model.named_parameters(), twin.parameters(), strict=True):
        torch.testing.assert_close(p, q, atol=ATOL, rtol=RTOL, msg=f"parameter {name} differs")
        # .get, not [], so as not to add entries; SGD without momentum may keep empty ones
        state, their_state = ours.state.get(p, {}), theirs.state.get(q, {})
        assert set(state) == set(their_state), name
        for key, value in state.items():
            torch.testing.assert_close(value, their_state[key], atol=ATOL, rtol=RTOL, check_dtype=False,
                                       msg=f"state {key!r} of {name} differs")


def case(cls: type[torch.optim.Optimizer], options: dict[str, Any]) -> Any:
    label = ",".join(f"{k}={v}" for k, v in options.items()) or "defaults"
    return pytest.param(cls, options, id=f"{cls.__name__}({label})")


def cases() -> Iterator[Any]:
    for momentum, nesterov, wd in itertools.product((0.0, 0.9), (False, True), (0.0, 1e-2)):
        if nesterov and not momentum:
            continue
        yield case(SGD, dict(lr=0.05, momentum=momentum, nesterov=nesterov, weight_decay=wd))
    yield case(SGD, dict(lr=0.05, momentum=0.5, dampening=0.3, weight_decay=1e-2))
    for momentum, centered, wd in itertools.product((0.0, 0.5), (False, True), (0.0, 1e-2)):
        yield case(RMSProp, dict(lr=1e-2, momentum=momentum, centered=centered, weight_decay=wd))
    yield case(RMSProp, dict(lr=3e-3, alpha=0.9, eps=1e-4))
    for cls, betas, wd in itertools.product((Adam, AdamW), ((0.9, 0.999), (0.5, 0.9)), (0.0, 0.1)):
        yield case(cls, dict(lr=1e-2, betas=betas, weight_decay=wd))
    yield case(Adam, dict(lr=3e-2, eps=1e-3))
    yield case(AdamW, {})  # every default, weight_decay=1e-2 included


@pytest.mark.parametrize(("cls", "options"), list(cases()))
def test_matches_torch_over_100_steps(cls: type[torch.optim.Optimizer], options: dict[str, Any]) -> None:
    model, twin, ours, theirs = train_twins(*by_class(cls, **options))
    assert not torch.equal(model.W1, Net(torch.Generator().manual_seed(0)).W1)  # it did train
    assert_same_training(model, twin, ours, theirs)


@pytest.mark.parametrize("cls", list(TWINS))
def test_param_groups_with_their_own_options(cls: type[torch.optim.Optimizer]) -> None:
    def groups(net: Net) -> list[dict[str, Any]]:
        return [{"params": [net.W1, net.b1, net.frozen]},
                {"params": [net.W2, net.b2, net.scale], "lr": 3e-3, "weight_decay": 0.1}]
    options = dict(lr=0.02, momentum=0.9) if cls is SGD else dict(lr=0.02)
    assert_same_training(*train_twins(lambda net: cls(groups(net), **options),
                                      lambda net: TWINS[cls](groups(net), **options)))


@pytest.mark.parametrize("cls", list(TWINS))
def test_with_a_torch_scheduler_and_a_closure(cls: type[torch.optim.Optimizer]) -> None:
    options = dict(lr=0.05, momentum=0.9, nesterov=True) if cls is SGD else dict(lr=0.02)
    def cosine(opt: torch.optim.Optimizer) -> Any:
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)
    assert_same_training(*train_twins(*by_class(cls, **options), scheduler=cosine, use_closure=True))


def test_parameters_without_grad_are_skipped() -> None:
    model, twin, ours, theirs = train_twins(*by_class(Adam, lr=1e-2), num_steps=11)
    fresh = Net(torch.Generator().manual_seed(0))
    assert torch.equal(model.frozen, fresh.frozen)  # never had a gradient: untouched, no state
    assert model.frozen not in ours.state and twin.frozen not in theirs.state
    assert ours.state[model.b2]["step"].item() == 6  # a gradient on steps 0, 2, ..., 10 only
    assert ours.state[model.W1]["step"].item() == 11
    assert_same_training(model, twin, ours, theirs)


@pytest.mark.parametrize(("cls", "options", "keys"), [
    (SGD, dict(lr=0.1), set()),
    (SGD, dict(lr=0.1, momentum=0.9), {"momentum_buffer"}),
    (RMSProp, {}, {"step", "square_avg"}),
    (RMSProp, dict(momentum=0.9, centered=True), {"step", "square_avg", "momentum_buffer", "grad_avg"}),
    (Adam, {}, {"step", "exp_avg", "exp_avg_sq"}),
    (AdamW, {}, {"step", "exp_avg", "exp_avg_sq"}),
])
def test_state_keys_follow_torch(cls: type[torch.optim.Optimizer], options: dict[str, Any],
                                 keys: set[str]) -> None:
    model, twin, ours, theirs = train_twins(*by_class(cls, **options), num_steps=1)
    assert set(ours.state[model.W1]) == keys == set(theirs.state[twin.W1])
    if "step" in keys:
        assert ours.state[model.W1]["step"].ndim == 0  # a 0-d tensor, as in torch


@pytest.mark.parametrize(("cls", "options"), [
    (SGD, dict(lr=0.05, momentum=0.9)),
    (RMSProp, dict(momentum=0.5, centered=True)),
    (Adam, dict(lr=1e-2, weight_decay=0.1)),
    (AdamW, dict(lr=1e-2)),
])
def test_resumes_from_a_torch_state_dict(cls: type[torch.optim.Optimizer], options: dict[str, Any]) -> None:
    # 30 steps with torch.optim, then the saved state is loaded into ours for 30 more
    # fresh nets, so only the optimizer state (buffers, step counts) carries over
    saved = train_twins(*by_class(cls, **options), num_steps=30)[3].state_dict()

    def resumed(net: Net) -> torch.optim.Optimizer:
        opt = cls(net.parameters(), **options)
        opt.load_state_dict(copy.deepcopy(saved))  # a copy each: loading may share the tensors
        return opt

    def continued(net: Net) -> torch.optim.Optimizer:
        opt = TWINS[cls](net.parameters(), **options)
        opt.load_state_dict(copy.deepcopy(saved))
        return opt
    model, twin, ours, theirs = train_twins(resumed, continued, num_steps=30, seed=1)
    assert_same_training(model, twin, ours, theirs)
    if "step" in ours.state[model.W1]:
        assert ours.state[model.W1]["step"].item() == 60


@pytest.mark.parametrize(("make", "message"), [
    (lambda ps: SGD(ps, lr=-0.1), "SGD expects 0 <= lr < inf, got -0.1"),
    (lambda ps: SGD(ps, lr=float("nan")), "SGD expects 0 <= lr < inf, got nan"),
    (lambda ps: SGD(ps, lr="0.1"), "SGD expects 0 <= lr < inf, got '0.1'"),  # type: ignore[arg-type]
    (lambda ps: SGD(ps, lr=0.1, momentum=1.0), "SGD expects 0 <= momentum < 1, got 1.0"),
    (lambda ps: SGD(ps, lr=0.1, dampening=1.5), "SGD expects 0 <= dampening <= 1, got 1.5"),
    (lambda ps: SGD(ps, lr=0.1, weight_decay=-1e-4), "SGD expects 0 <= weight_decay < inf, got -0.0001"),
    (lambda ps: SGD(ps, lr=0.1, nesterov=True),
     "SGD expects momentum > 0 and dampening = 0 when nesterov=True, got momentum=0.0, dampening=0.0"),
    (lambda ps: SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     "SGD expects momentum > 0 and dampening = 0 when nesterov=True, got momentum=0.9, dampening=0.1"),
    (lambda ps: RMSProp(ps, alpha=1.0), "RMSProp expects 0 <= alpha < 1, got 1.0"),
    (lambda ps: RMSProp(ps, eps=-1e-8), "RMSProp expects 0 <= eps < inf, got -1e-08"),
    (lambda ps: RMSProp(ps, momentum=-0.5), "RMSProp expects 0 <= momentum < 1, got -0.5"),
    (lambda ps: Adam(ps, betas=(1.2, 0.999)), "Adam expects 0 <= beta1 < 1, got 1.2"),
    (lambda ps: Adam(ps, betas=(0.9, 1.0)), "Adam expects 0 <= beta2 < 1, got 1.0"),
    (lambda ps: Adam(ps, betas=(0.9,)), "Adam expects betas as a pair (beta1, beta2), got (0.9,)"),  # type: ignore[arg-type]
    (lambda ps: Adam(ps, lr=True), "Adam expects 0 <= lr < inf, got True"),
    (lambda ps: AdamW(ps, weight_decay=-0.01), "AdamW expects 0 <= weight_decay < inf, got -0.01"),
    (lambda ps: Adam([{"params": ps, "lr": -1.0}]), "Adam expects 0 <= lr < inf, got -1.0"),
])
def test_invalid_hyperparameters_raise(make: Callable[[list[Tensor]], Any], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        make([nn.Parameter(torch.zeros(2))])


def test_a_bad_group_added_later_is_refused_and_not_kept() -> None:
    opt = Adam([nn.Parameter(torch.zeros(2))])
    with pytest.raises(ValueError, match=re.escape("Adam expects 0 <= eps < inf, got -1.0")):
        opt.add_param_group({"params": [nn.Parameter(torch.zeros(3))], "eps": -1.0})
    assert len(opt.param_groups) == 1


def test_one_step_by_hand() -> None:
    # Adam's first step is ±lr per entry whatever the gradient's size: m̂_1 = g, v̂_1 = g²
    p = nn.Parameter(torch.tensor([1.0, -2.0, 3.0], dtype=DTYPE))
    opt = Adam([p], lr=0.1, eps=0.0)
    p.grad = torch.tensor([1e-3, -5.0, 0.2], dtype=DTYPE)
    opt.step()
    torch.testing.assert_close(p.detach(), torch.tensor([0.9, -1.9, 2.9], dtype=DTYPE))
    # Nesterov SGD: b = g on the first step, then a step along g + μ b = (1 + μ) g
    q = nn.Parameter(torch.tensor([1.0], dtype=DTYPE))
    sgd = SGD([q], lr=0.1, momentum=0.5, nesterov=True)
    q.grad = torch.tensor([2.0], dtype=DTYPE)
    sgd.step()
    torch.testing.assert_close(q.detach(), torch.tensor([1.0 - 0.1 * 1.5 * 2.0], dtype=DTYPE))

"""Optimizers from scratch: SGD with momentum, RMSProp, Adam and AdamW.

Taught in docs/training/gradient-descent/. Each class subclasses ``torch.optim.Optimizer``,
so it plugs into any training loop, ``zero_grad()``, ``state_dict()`` and the
schedulers of ``torch.optim.lr_scheduler`` (see dlbook.schedules). The shared
loop lives in ``_Optimizer.step``; each optimizer only writes its own update rule,
with the formula in a comment above the line that computes it. Per-parameter
state uses PyTorch's key names (``step``, ``momentum_buffer``, ``square_avg``,
``exp_avg``, ``exp_avg_sq``), and tests/library/test_optim.py checks every optimizer
against its ``torch.optim`` twin over 100 steps.
Refs: Polyak 1964 (momentum), Sutskever et al. 2013 (Nesterov), Hinton's
lecture 6e 2012 (RMSProp), Kingma & Ba 2015 (Adam), Loshchilov & Hutter 2019 (AdamW).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any, overload

import torch
from torch import Tensor
from torch.optim.optimizer import ParamsT

__all__ = ["SGD", "Adam", "AdamW", "RMSProp"]


def _check_range(owner: str, name: str, value: object, *, upper: float = math.inf,
                 upper_included: bool = False) -> None:
    """Raise unless ``value`` is a real number in [0, upper) (or [0, upper] when included)."""
    closing = "<=" if upper_included else "<"
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        x = float(value)  # nan fails every comparison below
        if x >= 0 and (x <= upper if upper_included else x < upper):
            return
    raise ValueError(f"{owner} expects 0 <= {name} {closing} {upper:g}, got {value!r}")


class _Optimizer(torch.optim.Optimizer):
    """The loop every optimizer here shares; subclasses supply ``_check_group`` and ``_update``."""

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        # runs for every group, from __init__ too, so per-group overrides are checked as well
        self._check_group({**self.defaults, **param_group})
        super().add_param_group(param_group)

    def _check_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError

    def _update(self, p: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Change ``p`` in place from its gradient ``grad``; ``state`` is ``self.state[p]``."""
        raise NotImplementedError

    @overload
    def step(self, closure: None = None) -> None: ...

    @overload
    def step(self, closure: Callable[[], float]) -> float: ...

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Update every parameter that has a gradient; ``closure`` re-evaluates the loss first."""
        loss = None
        if closure is not None:
            with torch.enable_grad():  # the closure runs a forward and backward pass
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:  # frozen, or not used in this forward pass: leave it alone
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")
                self._update(p, p.grad, self.state[p], group)
        return loss


class SGD(_Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay.

    With ``momentum=0`` this is the plain rule ``θ ← θ − η g``. With momentum μ a
    velocity buffer ``b`` accumulates past gradients, so steps grow along directions
    where gradients agree and cancel where they oscillate. Same maths as
    ``torch.optim.SGD``, which also starts ``b`` at the first gradient rather than at 0.
    """

    def __init__(self, params: ParamsT, *, lr: float, momentum: float = 0.0, dampening: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                        weight_decay=weight_decay)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        _check_range("SGD", "lr", group["lr"])
        _check_range("SGD", "momentum", group["momentum"], upper=1)
        _check_range("SGD", "dampening", group["dampening"], upper=1, upper_included=True)
        _check_range("SGD", "weight_decay", group["weight_decay"])
        if group["nesterov"] and (group["momentum"] == 0 or group["dampening"] != 0):
            raise ValueError("SGD expects momentum > 0 and dampening = 0 when nesterov=True, got "
                             f"momentum={group['momentum']!r}, dampening={group['dampening']!r}")

    def _update(self, p: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, mu, tau, lam = group["lr"], group["momentum"], group["dampening"], group["weight_decay"]
        if lam != 0:
            # g ← g + λθ, the gradient of the L2 penalty (λ/2)‖θ‖²
            grad = grad.add(p, alpha=lam)
        if mu != 0:
            if "momentum_buffer" not in state:
                # b_1 = g_1
                state["momentum_buffer"] = grad.detach().clone()
            else:
                # b_t = μ b_{t−1} + (1 − τ) g_t
                state["momentum_buffer"].mul_(mu).add_(grad, alpha=1 - tau)
            b = state["momentum_buffer"]
            # Nesterov: step along g_t + μ b_t (look ahead); classical: along b_t
            grad = grad.add(b, alpha=mu) if group["nesterov"] else b
        # θ ← θ − η g
        p.add_(grad, alpha=-lr)


class RMSProp(_Optimizer):
    """RMSProp: divide each gradient entry by a running root-mean-square of its past values.

    Entries with large gradients take smaller steps and rare, small ones larger steps,
    so one ``lr`` suits parameters of very different scales. ``alpha`` is the decay of
    the running mean of ``g²``; ``centered=True`` subtracts the squared running mean of
    ``g`` (a variance instead of a second moment); ``momentum`` adds a velocity buffer.
    Matches ``torch.optim.RMSprop``.
    """

    def __init__(self, params: ParamsT, *, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        _check_range("RMSProp", "lr", group["lr"])
        _check_range("RMSProp", "alpha", group["alpha"], upper=1)
        _check_range("RMSProp", "eps", group["eps"])
        _check_range("RMSProp", "weight_decay", group["weight_decay"])
        _check_range("RMSProp", "momentum", group["momentum"], upper=1)

    def _update(self, p: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, alpha, eps, lam, mu = (group[k] for k in ("lr", "alpha", "eps", "weight_decay", "momentum"))
        if not state:
            state["step"] = torch.zeros(())
            state["square_avg"] = torch.zeros_like(p)
            if mu > 0:
                state["momentum_buffer"] = torch.zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = torch.zeros_like(p)
        state["step"] += 1
        if lam != 0:
            # g ← g + λθ
            grad = grad.add(p, alpha=lam)
        v = state["square_avg"]
        # v_t = α v_{t−1} + (1 − α) g_t²
        v.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if group["centered"]:
            g_bar = state["grad_avg"]
            # ḡ_t = α ḡ_{t−1} + (1 − α) g_t, then the denominator is √(v_t − ḡ_t²) + ε
            g_bar.mul_(alpha).add_(grad, alpha=1 - alpha)
            denom = (v - g_bar * g_bar).sqrt_().add_(eps)
        else:
            # denominator √v_t + ε
            denom = v.sqrt().add_(eps)
        if mu > 0:
            b = state["momentum_buffer"]
            # b_t = μ b_{t−1} + g_t / (√v_t + ε);  θ ← θ − η b_t
            b.mul_(mu).addcdiv_(grad, denom)
            p.add_(b, alpha=-lr)
        else:
            # θ ← θ − η g_t / (√v_t + ε)
            p.addcdiv_(grad, denom, value=-lr)


class Adam(_Optimizer):
    """Adam: momentum on the gradient plus an RMSProp-style per-entry step size, bias-corrected.

    ``m`` (state ``exp_avg``) and ``v`` (``exp_avg_sq``) are running means of ``g`` and
    ``g²``. Both start at zero, so early on they are too small; dividing by
    ``1 − β^t`` undoes that. ``weight_decay`` λ is added to the gradient (an L2
    penalty), like ``torch.optim.Adam``; see ``AdamW`` for the decoupled form.
    """

    def __init__(self, params: ParamsT, *, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        owner, betas = type(self).__name__, group["betas"]
        _check_range(owner, "lr", group["lr"])
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{owner} expects betas as a pair (beta1, beta2), got {betas!r}")
        _check_range(owner, "beta1", betas[0], upper=1)
        _check_range(owner, "beta2", betas[1], upper=1)
        _check_range(owner, "eps", group["eps"])
        _check_range(owner, "weight_decay", group["weight_decay"])

    def _update(self, p: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        if group["weight_decay"] != 0:
            # g ← g + λθ: the decay passes through m and v, so it is rescaled per entry
            grad = grad.add(p, alpha=group["weight_decay"])
        self._adam_step(p, grad, state, group)

    def _adam_step(self, p: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, eps, (beta1, beta2) = group["lr"], group["eps"], group["betas"]
        if not state:
            state["step"] = torch.zeros(())
            state["exp_avg"] = torch.zeros_like(p)
            state["exp_avg_sq"] = torch.zeros_like(p)
        state["step"] += 1
        t = state["step"].item()
        m, v = state["exp_avg"], state["exp_avg_sq"]
        # m_t = β₁ m_{t−1} + (1 − β₁) g_t
        m.mul_(beta1).add_(grad, alpha=1 - beta1)
        # v_t = β₂ v_{t−1} + (1 − β₂) g_t²
        v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        # m̂_t = m_t / (1 − β₁ᵗ),  v̂_t = v_t / (1 − β₂ᵗ)
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        # θ ← θ − η m̂_t / (√v̂_t + ε)
        p.addcdiv_(m_hat, v_hat.sqrt_().add_(eps), value=-lr)


class AdamW(Adam):
    """Adam with decoupled weight decay: shrink θ directly instead of adding λθ to the gradient.

    In ``Adam`` the L2 term goes through the per-entry scaling, so entries with large
    past gradients are barely decayed. AdamW applies ``θ ← θ − ηλθ`` on its own, the
    same for every entry, then takes a plain Adam step. Matches ``torch.optim.AdamW``
    (including its default ``weight_decay=1e-2``).
    """

    def __init__(self, params: ParamsT, *, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def _update(self, p: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        # θ ← θ − η λ θ, before and apart from the Adam step
        p.mul_(1 - group["lr"] * group["weight_decay"])
        self._adam_step(p, grad, state, group)

"""Two-parameter loss surfaces for watching optimizers move, and the paths they walk.

Taught in docs/training/gradient-descent/. A surface is a function ``f(p)`` of points
``p`` of shape (..., 2) that returns one value per point, shape (...), built from torch
operations so that autograd supplies its gradient. The same function therefore draws
its contour plot (``loss_grid``) and drives any ``torch.optim.Optimizer``
(``optimizer_path``), including those of dlbook.optim. tests/library/test_surfaces.py checks
the surfaces against their closed-form gradients and plain gradient descent against
its closed-form path on the quadratic. ``line_loss`` is the loss of the smallest
model of all, a line ``ŷ = w x + b`` fitted to ``line_data``: two parameters, so its
surface can be drawn and the path of any optimizer over it followed.
Ref: Rosenbrock 1960 (the banana valley).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from torch import Tensor

__all__ = ["Surface", "line_data", "line_loss", "loss_grid", "optimizer_path", "quadratic", "rosenbrock"]

Surface = Callable[[Tensor], Tensor]  # points (..., 2) -> values (...)
MakeOptimizer = Callable[[list[Tensor]], torch.optim.Optimizer]  # params -> optimizer


def _check_points(owner: str, p: Tensor) -> None:
    if not isinstance(p, Tensor) or p.ndim < 1 or p.shape[-1] != 2:
        shape = tuple(p.shape) if isinstance(p, Tensor) else type(p).__name__
        raise ValueError(f"{owner} expects points of shape (..., 2), got {shape}")


def quadratic(p: Tensor, *, condition: float = 10.0, angle: float = 0.0) -> Tensor:
    """An elongated bowl: ``f = ½ (u² + κ v²)`` in axes turned by ``angle`` (radians).

    ``(u, v)`` are the coordinates of ``p = (x, y)`` in the frame rotated by ``angle``, so
    the Hessian has eigenvalues 1 (along u) and κ = ``condition`` (along v), and κ is its
    condition number. The minimum is 0 at the origin. With ``angle=0`` the valley lies
    along the x axis: ``f = ½ (x² + κ y²)``.
    """
    _check_points("quadratic", p)
    if not (isinstance(condition, (int, float)) and 1 <= condition < math.inf):
        raise ValueError(f"quadratic expects 1 <= condition < inf, got {condition!r}")
    x, y = p[..., 0], p[..., 1]
    c, s = math.cos(angle), math.sin(angle)
    u, v = c * x + s * y, -s * x + c * y  # p in the rotated frame
    # f = ½ (u² + κ v²)
    return 0.5 * (u**2 + condition * v**2)


def rosenbrock(p: Tensor, *, a: float = 1.0, b: float = 100.0) -> Tensor:
    """Rosenbrock's banana: ``f = (a − x)² + b (y − x²)²``, minimum 0 at ``(a, a²)``.

    The minimum sits in a long, curved, flat-bottomed valley along ``y = x²``: easy to
    fall into, slow to follow, a classic test for optimizers.
    """
    _check_points("rosenbrock", p)
    if not b > 0:
        raise ValueError(f"rosenbrock expects b > 0, got {b!r}")
    x, y = p[..., 0], p[..., 1]
    # f = (a − x)² + b (y − x²)²
    return (a - x) ** 2 + b * (y - x**2) ** 2


def line_data(n: int, noise: float, seed: int = 0) -> tuple[Tensor, Tensor]:
    """``n`` points ``x`` uniform in [−0.5, 1.5] and ``y = 2x − 1 + noise · ε``, ε ~ N(0, 1).

    Returns ``x`` and ``y``, float32 of shape (n,) each, from a generator seeded with
    ``seed`` (the global RNG is untouched): the same seed gives the same points.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"line_data expects n to be a positive int, got {n!r}")
    if not noise >= 0:
        raise ValueError(f"line_data expects noise >= 0, got {noise!r}")
    g = torch.Generator().manual_seed(seed)
    x = 2 * torch.rand(n, generator=g) - 0.5
    return x, 2 * x - 1 + noise * torch.randn(n, generator=g)


def line_loss(x: Tensor, y: Tensor) -> Surface:
    """The mean squared error of the line ``ŷ = w x + b`` as a surface over ``p = (w, b)``.

    ``x`` and ``y`` are (n,); the surface maps points (..., 2) to losses (...), so it
    feeds ``loss_grid`` and ``optimizer_path`` like ``quadratic`` does.
    """
    if x.ndim != 1 or y.shape != x.shape:
        raise ValueError(f"line_loss expects x and y of shape (n,), got {tuple(x.shape)} "
                         f"and {tuple(y.shape)}")

    def f(p: Tensor) -> Tensor:
        _check_points("line_loss", p)
        w, b = p[..., 0:1], p[..., 1:2]  # (..., 1) each, broadcast against x (n,)
        # L(w, b) = (1/n) Σ_i (w x_i + b − y_i)²
        return ((w * x + b - y) ** 2).mean(dim=-1)

    return f


def loss_grid(f: Surface, *, xlim: tuple[float, float], ylim: tuple[float, float],
              n: int = 200) -> tuple[Tensor, Tensor, Tensor]:
    """``f`` on an ``n`` x ``n`` grid over ``xlim`` x ``ylim``, ready for ``plt.contour(xx, yy, zz)``.

    Returns ``xx, yy, zz``, each of shape (n, n), with x varying along the columns.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 2:
        raise ValueError(f"loss_grid expects n to be an int >= 2, got {n!r}")
    for name, (lo, hi) in (("xlim", xlim), ("ylim", ylim)):
        if not lo < hi:
            raise ValueError(f"loss_grid expects {name} = (low, high) with low < high, got {(lo, hi)}")
    xx, yy = torch.meshgrid(torch.linspace(*xlim, n), torch.linspace(*ylim, n), indexing="xy")  # (n, n)
    with torch.no_grad():
        zz = f(torch.stack([xx, yy], dim=-1))  # (n, n, 2) -> (n, n)
    if zz.shape != xx.shape:
        raise ValueError(f"loss_grid expects f to return one value per point, shape {tuple(xx.shape)}, "
                         f"got {tuple(zz.shape)}")
    return xx, yy, zz


def optimizer_path(f: Surface, start: Sequence[float] | Tensor, make_optimizer: MakeOptimizer, *,
                   num_steps: int) -> Tensor:
    """Minimise ``f`` from ``start`` for ``num_steps`` steps; return every point visited, (num_steps + 1, 2).

    ``make_optimizer`` receives the list of parameters (one tensor of two numbers) and
    returns the optimizer to use, e.g. ``lambda params: SGD(params, lr=0.1, momentum=0.9)``.
    Row 0 is ``start``. A step that leaves the finite numbers raises FloatingPointError
    naming the step, rather than returning a path full of nan.
    """
    if not isinstance(num_steps, int) or isinstance(num_steps, bool) or num_steps < 0:
        raise ValueError(f"optimizer_path expects num_steps to be an int >= 0, got {num_steps!r}")
    start_t = torch.as_tensor(start, dtype=torch.float64).detach().clone()
    if start_t.shape != (2,):
        raise ValueError(f"optimizer_path expects a start point of shape (2,), got {tuple(start_t.shape)}")
    p = start_t.requires_grad_(True)
    optimizer = make_optimizer([p])
    points = [p.detach().clone()]
    for t in range(1, num_steps + 1):
        optimizer.zero_grad()
        loss = f(p)
        if loss.ndim != 0:
            raise ValueError(f"optimizer_path expects f to return a scalar for one point, "
                             f"got shape {tuple(loss.shape)}")
        loss.backward()
        optimizer.step()
        if not torch.isfinite(p).all():
            raise FloatingPointError(f"the optimizer left the finite numbers at step {t}: p = {p.tolist()}")
        points.append(p.detach().clone())
    return torch.stack(points)  # (num_steps + 1, 2)

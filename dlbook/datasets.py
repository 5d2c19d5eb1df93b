"""Small classification datasets, generated in code or shipped with scikit-learn.

Used across docs/neurons/ (perceptron, activations, networks, losses). Every
generated dataset returns ``(X, y)``: ``X`` float32 of shape (n, 2) and ``y`` long of
shape (n,), rows in random order; the point clouds (blobs to spirals) have classes as
balanced as ``n`` allows, pass_exam labels as its rule draws them. The same
``seed`` always gives the same data (each call has its own ``torch.Generator`` and
never touches the global RNG); a different seed gives different data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from dlbook.activations import sigmoid

__all__ = [
    "BLOB_RADIUS",
    "PASS_BIAS",
    "PASS_W_HOURS",
    "PASS_W_LECTURES",
    "SPIRAL_TURNS",
    "blobs",
    "circles",
    "digits",
    "moons",
    "pass_exam",
    "spirals",
    "tilted_blobs",
    "xor",
]

BLOB_RADIUS = 2.5  # blob centers sit evenly spaced on a circle of this radius
SPIRAL_TURNS = 1.0  # full turns each spiral arm makes between radius 0 and 1

# pass_exam: score = PASS_BIAS + PASS_W_HOURS · hours + PASS_W_LECTURES · lectures
PASS_BIAS = -5.5
PASS_W_HOURS = 0.6  # per hour studied, 0 to 10 hours
PASS_W_LECTURES = 0.4  # per lecture attended, 0 to 12 lectures


def _setup(name: str, n: int, seed: int, noise: float = 0.0) -> torch.Generator:
    """Validate the common arguments and return a fresh generator seeded with ``seed``."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"{name} expects n to be a positive int, got {n!r}")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"{name} expects a non-negative int seed, got {seed!r}")
    if not noise >= 0:
        raise ValueError(f"{name} expects noise >= 0, got {noise!r}")
    return torch.Generator().manual_seed(seed)


def _balanced_labels(n: int, classes: int) -> Tensor:
    """(n,) labels 0, 1, ..., classes − 1, 0, 1, ...: class counts differ by at most one."""
    return torch.arange(n) % classes


def _shuffled(X: Tensor, y: Tensor, g: torch.Generator) -> tuple[Tensor, Tensor]:
    order = torch.randperm(X.shape[0], generator=g)
    return X[order].float(), y[order].long()


def _inside_margin(X: Tensor, y: Tensor, C: Tensor, margin: float) -> Tensor:
    """(n,) True where a point is closer than margin/2 to (or beyond) a bisector of its center.

    The bisector of centers c_y and c_k is the line of points equally far from both;
    with |c_y| = |c_k| it is {x : (c_y − c_k) · x = 0}, so the signed distance of x to
    it, positive on c_y's side, is (c_y − c_k) · x / |c_y − c_k|.
    """
    diff = C[y][:, None, :] - C[None, :, :]  # (n, K, 2): c_y − c_k for every k
    dist = (diff * X[:, None, :]).sum(-1) / diff.norm(dim=-1).clamp_min(1e-12)  # (n, K)
    dist[torch.arange(X.shape[0]), y] = math.inf  # no margin needed from its own center
    return dist.amin(dim=1) < margin / 2


def blobs(
    n: int,
    *,
    centers: int = 2,
    std: float = 1.0,
    separable: bool = False,
    margin: float = 1.0,
    seed: int = 0,
) -> tuple[Tensor, Tensor]:
    """Gaussian clouds, one per class, around ``centers`` points on a circle of radius 2.5.

    Class k is centred at c_k = 2.5 (cos 2πk/K, sin 2πk/K) with spread ``std`` in
    each coordinate. With ``separable=True`` points are redrawn until each one lies
    on its own class's side of every bisector between two centers, at a distance of
    at least ``margin / 2``: the nearest-center rule, which is linear, then labels the
    data perfectly, and for two classes a single line splits them with a gap of
    width ``margin``, as the perceptron convergence theorem asks.
    """
    g = _setup("blobs", n, seed)
    if not isinstance(centers, int) or centers < 2:
        raise ValueError(f"blobs expects centers >= 2, got {centers!r}")
    if not std > 0:
        raise ValueError(f"blobs expects std > 0, got {std!r}")
    if separable and not margin > 0:
        raise ValueError(f"blobs expects margin > 0, got {margin!r}")
    angles = 2 * math.pi * torch.arange(centers) / centers
    C = BLOB_RADIUS * torch.stack([angles.cos(), angles.sin()], dim=1)  # (K, 2)
    y = _balanced_labels(n, centers)  # (n,)
    X = C[y] + std * torch.randn(n, 2, generator=g)  # (n, 2)
    if separable:
        for _ in range(1000):
            bad = _inside_margin(X, y, C, margin)  # (n,)
            if not bad.any():
                break
            X[bad] = C[y[bad]] + std * torch.randn(int(bad.sum()), 2, generator=g)
        else:
            raise ValueError(f"blobs could not place the points with margin={margin} at std={std}; "
                             "lower one of them")
    return _shuffled(X, y, g)


def tilted_blobs(
    n: int,
    *,
    std: float,
    margin: float,
    angle_deg: float,
    shift: Sequence[float],
    seed: int = 0,
) -> tuple[Tensor, Tensor]:
    """Two separable ``blobs``, turned by ``angle_deg`` about the origin and moved by ``shift``.

    ``blobs`` are centred on the origin and split by the vertical line x₁ = 0; turned and
    moved, the line that splits them needs all three of ``w₁``, ``w₂`` and ``b``, as in
    docs/neurons/perceptron/. The gap of width ``margin`` survives: rotations and shifts
    keep distances. Returns ``X`` (n, 2) float32 and ``y`` (n,) long.
    """
    if len(shift) != 2:
        raise ValueError(f"tilted_blobs expects shift as a pair (dx₁, dx₂), got {shift!r}")
    X, y = blobs(n, centers=2, std=std, separable=True, margin=margin, seed=seed)  # (n, 2), (n,)
    a = math.radians(angle_deg)
    R = torch.tensor([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])  # (2, 2) rotation
    return X @ R.T + torch.tensor([float(v) for v in shift]), y  # x ↦ R x + shift, row by row


def xor(n: int, *, noise: float = 0.1, seed: int = 0) -> tuple[Tensor, Tensor]:
    """The XOR problem: points near the corners (0, 0), (0, 1), (1, 0), (1, 1).

    A point near corner (a, b) has label a XOR b, so the two classes sit on opposite
    diagonals and no single line separates them. ``noise`` is the standard deviation
    of the Gaussian jitter; ``xor(4, noise=0.0)`` is the truth table itself.
    """
    g = _setup("xor", n, seed, noise)
    corner = _balanced_labels(n, 4)  # 0..3 ↦ (a, b) = (0,0), (0,1), (1,0), (1,1)
    a, b = corner // 2, corner % 2
    X = torch.stack([a, b], dim=1).float() + noise * torch.randn(n, 2, generator=g)  # (n, 2)
    return _shuffled(X, a ^ b, g)


def moons(n: int, *, noise: float = 0.1, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Two interleaved half circles of radius 1: class 0 arcs over, class 1 under and shifted.

    Class 0 is (cos t, sin t), class 1 is (1 − cos t, 0.5 − sin t), with t uniform in
    [0, π] and Gaussian noise of standard deviation ``noise`` added to both coordinates.
    """
    g = _setup("moons", n, seed, noise)
    y = _balanced_labels(n, 2)
    t = math.pi * torch.rand(n, generator=g)
    upper = torch.stack([t.cos(), t.sin()], dim=1)  # (n, 2)
    lower = torch.stack([1 - t.cos(), 0.5 - t.sin()], dim=1)  # (n, 2)
    X = torch.where(y[:, None] == 0, upper, lower) + noise * torch.randn(n, 2, generator=g)
    return _shuffled(X, y, g)


def circles(n: int, *, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Two concentric circles: class 0 on radius 1, class 1 on radius ``factor`` < 1.

    Angles are uniform; Gaussian noise of standard deviation ``noise`` is added to
    both coordinates. Separable by a circle, never by a line.
    """
    g = _setup("circles", n, seed, noise)
    if not 0 < factor < 1:
        raise ValueError(f"circles expects 0 < factor < 1, got {factor!r}")
    y = _balanced_labels(n, 2)
    t = 2 * math.pi * torch.rand(n, generator=g)
    r = torch.where(y == 0, 1.0, factor)  # (n,)
    X = r[:, None] * torch.stack([t.cos(), t.sin()], dim=1) + noise * torch.randn(n, 2, generator=g)
    return _shuffled(X, y, g)


def spirals(n: int, *, classes: int = 2, noise: float = 0.05, seed: int = 0) -> tuple[Tensor, Tensor]:
    """``classes`` interleaved spiral arms winding out from the origin.

    A point of class k at radius r ∈ [0, 1] (uniform) has angle
    θ = 2πk/K + 2π · SPIRAL_TURNS · r, so the arms are rotated copies of each other;
    Gaussian noise of standard deviation ``noise`` is added to both coordinates.
    """
    g = _setup("spirals", n, seed, noise)
    if not isinstance(classes, int) or classes < 2:
        raise ValueError(f"spirals expects classes >= 2, got {classes!r}")
    y = _balanced_labels(n, classes)
    r = torch.rand(n, generator=g)
    theta = 2 * math.pi * (y / classes + SPIRAL_TURNS * r)
    X = r[:, None] * torch.stack([theta.cos(), theta.sin()], dim=1) + noise * torch.randn(n, 2, generator=g)
    return _shuffled(X, y, g)


def pass_exam(n: int, *, seed: int = 0) -> tuple[Tensor, Tensor]:
    """"Will I pass this class?": columns hours studied and lectures attended, label passed.

    Hours are uniform in [0, 10]; lectures attended are whole numbers 0 to 12. A
    student passes with probability σ(s), where the score is
    ``s = PASS_BIAS + PASS_W_HOURS · hours + PASS_W_LECTURES · lectures``
    (−5.5 + 0.6 · hours + 0.4 · lectures), so the label is a noisy logistic function
    of a linear score: the setting logistic regression, a single sigmoid neuron,
    is built for. About half of the students pass.
    """
    g = _setup("pass_exam", n, seed)
    hours = 10 * torch.rand(n, generator=g)
    lectures = torch.randint(0, 13, (n,), generator=g).float()
    score = PASS_BIAS + PASS_W_HOURS * hours + PASS_W_LECTURES * lectures
    passed = torch.rand(n, generator=g) < sigmoid(score)  # Bernoulli(σ(s))
    return torch.stack([hours, lectures], dim=1), passed.long()


def digits(*, as_images: bool = False) -> tuple[Tensor, Tensor]:
    """The 1797 handwritten digits (8x8 grey levels 0-16) that ship inside scikit-learn.

    ``X`` is float32, shape (1797, 64), or (1797, 8, 8) with ``as_images=True``;
    ``y`` is long (1797,) with the digit 0-9. Read from scikit-learn's package data,
    so nothing is downloaded.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as err:
        raise ImportError(
            "dlbook.datasets.digits needs scikit-learn: pip install scikit-learn "
            "(or pip install 'dlbook[data]')"
        ) from err
    bunch = load_digits()
    X = torch.as_tensor(bunch.data, dtype=torch.float32)  # (1797, 64)
    y = torch.as_tensor(bunch.target, dtype=torch.long)  # (1797,)
    return (X.view(-1, 8, 8) if as_images else X), y

"""Learning without labels, taught in docs/foundations/what-is-deep-learning/.

Two classic unsupervised methods, each a few lines of torch:

- ``kmeans``: Lloyd's algorithm, which groups the rows of ``X`` into ``k`` clusters by
  alternating two steps (give each point to its nearest centre; move each centre to the
  mean of its points) until no point changes cluster.
- ``pca``: principal component analysis, the ``k`` orthogonal directions along which the
  data varies most, found from the singular value decomposition of the centred data.

Both are checked against scikit-learn in tests/library/test_unsupervised.py.

Refs: S. P. Lloyd, "Least squares quantization in PCM", IEEE Transactions on Information
Theory 1982 (a Bell Labs report of 1957); K. Pearson, "On lines and planes of closest fit
to systems of points in space", Philosophical Magazine 1901; H. Hotelling, "Analysis of a
complex of statistical variables into principal components", Journal of Educational
Psychology 1933.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

__all__ = ["PCA", "KMeansResult", "kmeans", "pca"]


def _check_data(name: str, X: Tensor, k: int) -> None:
    if X.ndim != 2 or not X.is_floating_point():
        raise ValueError(f"{name} expects X of shape (n, d) with a floating-point dtype, "
                         f"got shape {tuple(X.shape)} and dtype {X.dtype}")
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= X.shape[0]:
        raise ValueError(f"{name} expects an int k with 1 <= k <= n = {X.shape[0]}, got {k!r}")


# --- k-means ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KMeansResult:
    """What ``kmeans`` found (for the best of its restarts)."""

    centroids: Tensor  # (k, d): the mean of each cluster's points
    labels: Tensor  # (n,) long: the cluster of each row of X, 0..k-1
    inertia: float  # Σ_i ‖x_i − c_{labels_i}‖²: the sum of squared distances to the centroids
    num_iters: int  # assignment steps run (the last one changed nothing, unless max_iters stopped it)


def _lloyd(X: Tensor, centroids: Tensor, max_iters: int) -> KMeansResult:
    labels = torch.full((X.shape[0],), -1, dtype=torch.long, device=X.device)
    num_iters = 0
    while num_iters < max_iters:
        num_iters += 1
        # (n,): the nearest centre, distances computed directly rather than by the faster matmul form
        new_labels = torch.cdist(X, centroids, compute_mode="donot_use_mm_for_euclid_dist").argmin(dim=1)
        if torch.equal(new_labels, labels):
            break
        labels = new_labels
        counts = torch.bincount(labels, minlength=centroids.shape[0])  # (k,)
        sums = torch.zeros_like(centroids).index_add_(0, labels, X)  # (k, d): Σ of each cluster's rows
        # c_j = mean of the points in cluster j; an empty cluster keeps its old centre
        centroids = torch.where(counts[:, None] > 0, sums / counts.clamp(min=1)[:, None], centroids)
    inertia = ((X - centroids[labels]) ** 2).sum().item()
    return KMeansResult(centroids=centroids, labels=labels, inertia=inertia, num_iters=num_iters)


def kmeans(X: Tensor, k: int, *, init: Tensor | None = None, num_restarts: int = 10,
           max_iters: int = 300, seed: int = 0) -> KMeansResult:
    """Cluster the rows of ``X`` (n, d) into ``k`` groups with Lloyd's algorithm.

    Each run starts from ``k`` distinct rows of ``X`` picked at random and alternates
    *assign* (each point to its nearest centroid) and *update* (each centroid to the mean
    of its points) until no label changes or ``max_iters`` assignment steps have run. Both
    steps can only lower the inertia, so a run always stops, but possibly in a local
    minimum; ``num_restarts`` runs are made and the one with the lowest inertia is kept.
    ``init`` (k, d) replaces the random starts by one run from the given centroids. The
    random starts use their own generator seeded with ``seed``; the global RNG is untouched.
    """
    _check_data("kmeans", X, k)
    if max_iters < 1 or num_restarts < 1:
        raise ValueError(f"kmeans expects max_iters >= 1 and num_restarts >= 1, got {max_iters} "
                         f"and {num_restarts}")
    if init is not None:
        if init.shape != (k, X.shape[1]):
            raise ValueError(f"kmeans expects init of shape (k, d) = {(k, X.shape[1])}, "
                             f"got {tuple(init.shape)}")
        return _lloyd(X, init.to(X), max_iters)
    g = torch.Generator().manual_seed(seed)
    runs = (_lloyd(X, X[torch.randperm(X.shape[0], generator=g)[:k].to(X.device)], max_iters)
            for _ in range(num_restarts))
    return min(runs, key=lambda run: run.inertia)


# --- principal component analysis ------------------------------------------------------


@dataclass(frozen=True)
class PCA:
    """A fitted principal component analysis: ``z = (x − mean) Vᵀ`` and back, ``x̂ = z V + mean``."""

    mean: Tensor  # (d,): the mean of the data, subtracted before projecting
    components: Tensor  # (k, d): V, orthonormal rows, the direction of largest variance first
    explained_variance: Tensor  # (k,): the variance of the data along each component
    total_variance: float  # the sum of the variances along all d axes

    @property
    def explained_variance_ratio(self) -> Tensor:
        """(k,): the share of the total variance that each component captures."""
        return self.explained_variance / self.total_variance

    def transform(self, X: Tensor) -> Tensor:
        """(n, d) -> (n, k): the coordinates of each row along the components."""
        return (X - self.mean) @ self.components.T

    def inverse_transform(self, Z: Tensor) -> Tensor:
        """(n, k) -> (n, d): the points of the k-dimensional subspace with coordinates Z."""
        return Z @ self.components + self.mean


def pca(X: Tensor, k: int) -> PCA:
    """The ``k`` principal components of the rows of ``X`` (n, d), with ``k <= min(n, d)``.

    With the centred data ``X − mean = U S Vᵀ`` (a thin SVD), the rows of ``Vᵀ`` are the
    directions of largest variance, in order, and the variance along the i-th one is
    ``S_i² / (n − 1)``. Each component's sign is fixed so that its entry of largest size is
    positive, which makes the result repeatable (a component and its negative span the
    same line).
    """
    _check_data("pca", X, k)
    if k > X.shape[1] or X.shape[0] < 2:
        raise ValueError(f"pca expects n >= 2 rows and k <= d = {X.shape[1]}, got n = {X.shape[0]}, k = {k}")
    mean = X.mean(dim=0)  # (d,)
    _, S, Vh = torch.linalg.svd(X - mean, full_matrices=False)  # S: (r,), Vh: (r, d)
    V = Vh[:k]  # (k, d)
    signs = torch.sign(V.gather(1, V.abs().argmax(dim=1, keepdim=True)))  # (k, 1)
    variance = S**2 / (X.shape[0] - 1)  # (r,): variance along each direction
    total = ((X - mean) ** 2).sum().item() / (X.shape[0] - 1)
    return PCA(mean=mean, components=V * signs, explained_variance=variance[:k], total_variance=total)

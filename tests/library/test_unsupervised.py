"""dlbook.unsupervised: k-means and PCA against scikit-learn and against their defining properties."""

from __future__ import annotations

import pytest
import torch

from dlbook.datasets import blobs
from dlbook.unsupervised import KMeansResult, kmeans, pca

D = torch.float64


def _data(seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    centres = torch.tensor([[0.0, 0.0, 0.0], [12.0, 0.0, 3.0], [0.0, 15.0, -6.0]], dtype=torch.float64)
    return (centres.repeat_interleave(40, dim=0) + torch.randn(120, 3, generator=g, dtype=torch.float64))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_matches_sklearn_from_the_same_start(seed: int) -> None:
    cluster = pytest.importorskip("sklearn.cluster")
    X = _data(seed)
    init = X[torch.randperm(120, generator=torch.Generator().manual_seed(seed))[:4]]
    ours = kmeans(X, 4, init=init)
    theirs = cluster.KMeans(4, init=init.numpy(), n_init=1, algorithm="lloyd", tol=0.0, max_iter=300)
    theirs.fit(X.numpy())
    assert torch.equal(ours.labels, torch.as_tensor(theirs.labels_, dtype=torch.long))
    torch.testing.assert_close(ours.centroids, torch.as_tensor(theirs.cluster_centers_))
    assert ours.inertia == pytest.approx(theirs.inertia_, rel=1e-9)


def test_kmeans_stops_at_a_fixed_point_and_recovers_separated_blobs() -> None:
    X = _data()
    result = kmeans(X, 3, seed=5)
    assert isinstance(result, KMeansResult)
    # each point sits with its nearest centroid, and each centroid is the mean of its points
    assert torch.equal(torch.cdist(X, result.centroids).argmin(dim=1), result.labels)
    for j in range(3):
        torch.testing.assert_close(result.centroids[j], X[result.labels == j].mean(dim=0))
    assert result.inertia == pytest.approx(((X - result.centroids[result.labels]) ** 2).sum().item())
    # three well separated groups of 40: each found whole
    groups = torch.arange(3).repeat_interleave(40)
    for j in range(3):
        assert result.labels[groups == j].unique().numel() == 1
    assert result.labels.unique().numel() == 3


def test_kmeans_restarts_keep_the_best_and_do_not_touch_the_global_rng() -> None:
    X, _ = blobs(200, centers=5, std=1.5, seed=3)
    X = X.double()
    state = torch.get_rng_state()
    one = kmeans(X, 5, num_restarts=1, seed=0)
    many = kmeans(X, 5, num_restarts=10, seed=0)
    assert torch.equal(torch.get_rng_state(), state)
    assert many.inertia <= one.inertia
    assert kmeans(X, 5, seed=0).inertia == kmeans(X, 5, seed=0).inertia


@pytest.mark.parametrize(("X", "k"), [(torch.zeros(5), 2), (torch.zeros(5, 2, dtype=torch.long), 2),
                                      (torch.zeros(5, 2), 0), (torch.zeros(5, 2), 6)])
def test_kmeans_rejects_bad_input(X: torch.Tensor, k: int) -> None:
    with pytest.raises(ValueError, match="kmeans expects"):
        kmeans(X, k)


def test_pca_matches_sklearn() -> None:
    decomposition = pytest.importorskip("sklearn.decomposition")
    g = torch.Generator().manual_seed(0)
    X = torch.randn(50, 6, generator=g, dtype=D) @ torch.randn(6, 6, generator=g, dtype=D)
    ours = pca(X, 3)
    theirs = decomposition.PCA(3).fit(X.numpy())
    torch.testing.assert_close(ours.explained_variance, torch.as_tensor(theirs.explained_variance_))
    ratio = torch.as_tensor(theirs.explained_variance_ratio_)
    torch.testing.assert_close(ours.explained_variance_ratio, ratio)
    torch.testing.assert_close(ours.mean, torch.as_tensor(theirs.mean_))
    # the same lines: each pair of components is equal up to sign
    cosines = (ours.components * torch.as_tensor(theirs.components_)).sum(dim=1)
    torch.testing.assert_close(cosines.abs(), torch.ones(3, dtype=torch.float64))
    torch.testing.assert_close(ours.transform(X).abs(), torch.as_tensor(theirs.transform(X.numpy())).abs())


def test_pca_components_are_orthonormal_and_all_of_them_reconstruct_exactly() -> None:
    g = torch.Generator().manual_seed(1)
    X = torch.randn(30, 4, generator=g, dtype=D) * torch.tensor([3.0, 2.0, 1.0, 0.5], dtype=D)
    full = pca(X, 4)
    torch.testing.assert_close(full.components @ full.components.T, torch.eye(4, dtype=torch.float64))
    torch.testing.assert_close(full.inverse_transform(full.transform(X)), X)
    assert full.explained_variance_ratio.sum().item() == pytest.approx(1.0)
    assert bool((full.explained_variance[:-1] >= full.explained_variance[1:]).all())
    # the variance along each component is the variance of the projected coordinates
    torch.testing.assert_close(full.transform(X).var(dim=0), full.explained_variance)
    # signs are fixed: the largest entry of each component is positive
    largest = full.components.gather(1, full.components.abs().argmax(dim=1, keepdim=True))
    assert bool((largest > 0).all())


def test_pca_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="pca expects"):
        pca(torch.zeros(10, 3), 4)
    with pytest.raises(ValueError, match="pca expects"):
        pca(torch.zeros(10), 1)

"""Tests of the chapter "What is deep learning?": docs/foundations/what-is-deep-learning.py.

Its page, figures and scenes are checked by tests/chapter_checks.py; the library code it
teaches is tested in tests/library/, against PyTorch. The tests below run the page's code
cells once, in order, and check the claims its prose makes about what they print.
"""

from __future__ import annotations

from typing import Any

from chapter_checks import Chapter

CHAPTER = Chapter("foundations", "what-is-deep-learning")


def test_page_parses_and_imports_only_the_library() -> None:
    CHAPTER.check_page()


def test_it_shows_no_trained_figure() -> None:
    assert CHAPTER.figures_shown() == set()


# --- the page, executed: ``page`` (tests/chapters/conftest.py) is its namespace ------------


def test_a_one_pixel_shift_carries_every_digit_past_another_class(page: dict[str, Any]) -> None:
    assert page["closer"].item() == 1.0  # "for every single digit"
    assert page["to_own_shift"].median() > page["to_other_class"].median()
    assert len(page["labels"]) == 1797


def test_the_network_learns_the_digits_but_not_the_shift(page: dict[str, Any]) -> None:
    assert page["acc_val"] > 0.93
    assert page["acc_shifted"] < 0.6  # "falls far below"
    assert page["acc_val"] - page["acc_shifted"] > 0.3


def test_training_clears_the_weights_of_the_rarely_inked_pixels(page: dict[str, Any]) -> None:
    rare, W_init, W_trained = page["rarely_inked"], page["W_init"], page["W_trained"]
    assert 0 < int(rare.sum()) < 64
    after = W_trained[:, rare].abs().mean()
    assert after < W_init[:, rare].abs().mean() / 5
    assert after < W_trained[:, ~rare].abs().mean() / 10  # "almost no weight"


def test_the_vision_targets_have_the_shapes_the_page_names(page: dict[str, Any]) -> None:
    assert tuple(page["contains_ring"].shape) == () and page["contains_ring"].item() == 1
    assert tuple(page["boxes"].shape) == (2, 4)
    assert page["boxes"].tolist() == [[3, 3, 17, 17], [17, 16, 28, 27]]
    assert tuple(page["segmentation"].shape) == (32, 32)
    assert set(page["segmentation"].unique().tolist()) == {0, 1, 2}
    assert abs(page["radius"].item() - 6) < 0.5


def test_kmeans_finds_most_digits_and_mixes_ones_with_eights(page: dict[str, Any]) -> None:
    import torch

    clusters, labels = page["clusters"], page["labels"]
    assert sorted(page["majority"]) == list(range(10))  # every digit leads one cluster
    tops = []
    for c in range(10):
        counts = torch.bincount(labels[clusters.labels == c], minlength=10)
        tops.append((counts.max().item() / counts.sum().item(), set(counts.topk(2).indices.tolist())))
    assert sum(share > 0.8 for share, _ in tops) >= 6  # most clusters nearly pure
    mixed = [pair for share, pair in tops if share < 0.65]
    assert 1 <= len(mixed) <= 4  # a few mixtures ...
    assert {1, 8} in mixed  # ... one of them of 1s and 8s
    assert page["agree"] > 0.7


def test_two_principal_directions_keep_under_a_third_and_ten_keep_most(page: dict[str, Any]) -> None:
    share = page["share"]
    assert share[:2].sum() < 1 / 3
    assert share.sum() > 0.5


def test_the_timeline_names_the_years_that_share_a_spot(page: dict[str, Any]) -> None:
    from collections import Counter

    per_year = Counter(m.year for m in page["milestones"])
    assert sorted(year for year, count in per_year.items() if count > 1) == [2015, 2017, 2020]
    assert max(per_year.values()) == 2  # "two each"
    prose = " ".join(CHAPTER.prose().split())
    assert "(2015, 2017 and 2020 have two each)" in prose
    fig = page["timeline"](page["milestones"])  # the page's call, redrawn here
    dots = [tuple(xy) for c in fig.axes[0].collections for xy in c.get_offsets()]
    assert len(dots) == len(page["milestones"]) == len(set(dots))  # each milestone its own dot


def test_the_gaussian_scores_every_digit_above_every_scrambled_image(page: dict[str, Any]) -> None:
    density = page["density"]
    assert page["above"].item() == 1.0
    assert density.log_prob(page["X_val"]).mean() > density.log_prob(page["noise"]).mean()


def test_exercise_6_augmentation_buys_shift_tolerance_at_a_small_cost(page: dict[str, Any]) -> None:
    namespace = CHAPTER.run().then(CHAPTER.solution(6).code).namespace
    model, X_val, y_val, accuracy = namespace["model"], page["X_val"], page["y_val"], page["accuracy"]
    import torch

    with torch.no_grad():
        plain = accuracy(model(X_val), y_val).item()
        shifted = accuracy(model(namespace["shift"](X_val, 1)), y_val).item()
    assert shifted > page["acc_shifted"] + 0.3  # "climbs from well under half ..."
    assert shifted > plain - 0.05  # "... to nearly the accuracy on the unshifted ones"
    assert plain < page["acc_val"]  # "drops a little"
    assert plain > page["acc_val"] - 0.1


def test_exercise_7_a_gaussian_per_class_beats_the_small_network(page: dict[str, Any]) -> None:
    namespace = CHAPTER.run().then(CHAPTER.solution(7).code).namespace
    accuracy = page["accuracy"](namespace["y_hat"], page["y_val"]).item()
    assert accuracy > page["acc_val"]

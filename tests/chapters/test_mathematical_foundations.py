"""Tests of the chapter "Mathematical foundations": docs/foundations/mathematical-foundations.py.

Its page, figures and scenes are checked by tests/chapter_checks.py; the library code it
teaches is tested in tests/library/, against PyTorch. The tests below run the page's code
cells once, in order, and check the claims its prose makes about what they print.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch
from chapter_checks import Chapter

CHAPTER = Chapter("foundations", "mathematical-foundations")


def test_page_parses_and_imports_only_the_library() -> None:
    CHAPTER.check_page()


def test_it_shows_no_trained_figure() -> None:
    assert CHAPTER.figures_shown() == set()


# --- the page, executed: ``page`` (tests/chapters/conftest.py) is its namespace ------------


def test_the_chain_rule_multiplies_jacobians(page: dict[str, Any]) -> None:
    assert tuple(page["J_chain"].shape) == (2, 2)
    assert (page["J_chain"] - page["J_auto"]).abs().max() < 1e-12
    assert (page["J_chain"] - page["J_numerical"]).abs().max() < 1e-8
    torch.testing.assert_close(page["grad_x_by_hand"], page["grad_x_auto"])


def test_the_die_has_the_stated_moments_and_the_samples_approach_them(page: dict[str, Any]) -> None:
    assert page["mean_die"].item() == pytest.approx(3.5)
    assert page["var_die"].item() == pytest.approx(35 / 12)
    die_rolls = page["die_rolls"]  # the last and longest run
    assert len(die_rolls) == 100_000
    assert abs(die_rolls.mean().item() - 3.5) < 0.005  # "two or three decimals"
    assert abs(die_rolls.var(correction=0).item() - 35 / 12) < 0.01


def test_the_sample_estimates_are_within_a_few_thousandths(page: dict[str, Any]) -> None:
    p = page["p_coin"]
    assert abs(page["coins"].mean().item() - p) < 0.005
    assert abs(page["coins"].var(correction=0).item() - p * (1 - p)) < 0.005
    assert (page["one_hot"].mean(dim=0) - page["pi"]).abs().max() < 0.005
    assert page["cov_gap"] < 0.005
    assert abs(page["draws"].mean().item() - page["mu"]) < 0.005
    assert abs(page["draws"].var(correction=0).item() - page["sigma"] ** 2) < 0.005
    assert page["area"].item() == pytest.approx(1.0, abs=1e-6)
    assert page["mean_int"].item() == pytest.approx(page["mu"], abs=1e-6)
    assert page["var_int"].item() == pytest.approx(page["sigma"] ** 2, abs=1e-6)


def test_the_product_of_probabilities_underflows_and_the_log_sum_does_not(page: dict[str, Any]) -> None:
    many = page["many"]
    assert many.prod().item() == 0.0
    assert math.isfinite(many.log().sum().item())


def test_the_coin_is_fitted_by_the_fraction_of_heads(page: dict[str, Any]) -> None:
    assert page["p_grid"][page["log_lik"].argmax()].item() == pytest.approx(0.7)
    assert page["p_hat"].item() == pytest.approx(0.7)
    assert abs(page["slope"].item()) < 1e-9


def test_gradient_descent_finds_the_closed_form_gaussian_fit(page: dict[str, Any]) -> None:
    assert abs(page["mu_t"].item() - page["mu_hat"].item()) < 5e-5  # "to the printed digits"
    assert abs(page["s_t"].exp().item() - page["sigma_hat"].item()) < 5e-5


def test_the_categorical_estimate_beats_the_true_and_the_fair_die(page: dict[str, Any]) -> None:
    from dlbook.probability import categorical_log_likelihood

    rolls, pi_hat, loaded = page["rolls"], page["pi_hat"], page["loaded"]
    fair = torch.full((6,), 1 / 6, dtype=torch.float64)
    best = categorical_log_likelihood(rolls, pi_hat)
    assert best >= categorical_log_likelihood(rolls, loaded) > categorical_log_likelihood(rolls, fair)
    assert (pi_hat - loaded).abs().max() < 0.05  # "close to the true loaded die"


def test_the_negative_log_likelihoods_are_the_losses(page: dict[str, Any]) -> None:
    import torch.nn.functional as F

    from dlbook.probability import (
        bernoulli_log_likelihood,
        categorical_log_likelihood,
        gaussian_log_likelihood,
    )

    z, y_bin, Z, y_cls = page["z"], page["y_bin"], page["Z"], page["y_cls"]
    y_hat, y_real = page["y_hat"], page["y_real"]
    torch.testing.assert_close(-bernoulli_log_likelihood(y_bin, torch.sigmoid(z)) / 8,
                               F.binary_cross_entropy_with_logits(z, y_bin))
    torch.testing.assert_close(-categorical_log_likelihood(y_cls, torch.softmax(Z, dim=1)) / 8,
                               F.cross_entropy(Z, y_cls))
    torch.testing.assert_close(-gaussian_log_likelihood(y_real, y_hat, 1.0) / 8,
                               F.mse_loss(y_hat, y_real) / 2 + math.log(2 * math.pi) / 2)


def test_exercise_7_solution_runs() -> None:
    CHAPTER.imports().then(CHAPTER.solution(7).code)


def test_exercise_8_the_average_variance_estimate_is_n_minus_1_over_n() -> None:
    printed = CHAPTER.imports().then(CHAPTER.solution(8).code).printed
    for line in printed.splitlines():
        n, average, factor = (float(v) for v in line.split())
        assert factor == pytest.approx((n - 1) / n)
        assert abs(average - factor) < 0.01

"""dlbook.initialization against torch.nn.init: the same numbers from the same generator, the
variances of Glorot and He over many samples, the fans of dense and convolution weights, and the
signal scale a deep ReLU stack keeps under each scheme."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from dlbook.initialization import (
    SCHEMES,
    fans,
    he_normal_,
    he_std,
    he_uniform_,
    init_mlp_,
    preactivation_stds,
    recommended_gain,
    xavier_normal_,
    xavier_std,
    xavier_uniform_,
)
from dlbook.mlp import MLP

SHAPES = [(3, 5), (64, 32), (8, 4, 3, 3), (6, 2, 5)]


@pytest.mark.parametrize("shape", SHAPES)
def test_fans_match_torch(shape: tuple[int, ...]) -> None:
    W = torch.empty(shape)
    assert fans(shape) == nn.init._calculate_fan_in_and_fan_out(W)
    assert fans(W.shape) == fans(shape)


@pytest.mark.parametrize("activation", ["linear", "sigmoid", "tanh", "relu"])
def test_recommended_gain_matches_torch(activation: str) -> None:
    assert recommended_gain(activation) == pytest.approx(nn.init.calculate_gain(activation), rel=1e-12)


def draw(filler, shape: tuple[int, ...], seed: int, **kwargs) -> torch.Tensor:
    return filler(torch.empty(shape), generator=torch.Generator().manual_seed(seed), **kwargs)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gain", [1.0, 5 / 3])
def test_xavier_draws_the_numbers_torch_draws(shape: tuple[int, ...], gain: float) -> None:
    torch.testing.assert_close(draw(xavier_normal_, shape, 0, gain=gain),
                               draw(nn.init.xavier_normal_, shape, 0, gain=gain), rtol=0, atol=0)
    torch.testing.assert_close(draw(xavier_uniform_, shape, 1, gain=gain),
                               draw(nn.init.xavier_uniform_, shape, 1, gain=gain), rtol=0, atol=0)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_he_draws_the_numbers_torch_draws(shape: tuple[int, ...], mode: str) -> None:
    torch.testing.assert_close(draw(he_normal_, shape, 2, mode=mode),
                               draw(nn.init.kaiming_normal_, shape, 2, mode=mode, nonlinearity="relu"),
                               rtol=0, atol=1e-7)
    torch.testing.assert_close(draw(he_uniform_, shape, 3, mode=mode),
                               draw(nn.init.kaiming_uniform_, shape, 3, mode=mode, nonlinearity="relu"),
                               rtol=0, atol=1e-7)


# (filler, its torch counterpart, the variance the paper asks for) for a (fan_out, fan_in) weight
FAN_OUT, FAN_IN = 300, 700  # 210,000 samples: the sample variance is within about 0.3% of the truth
VARIANCES = [
    (xavier_normal_, lambda W: nn.init.xavier_normal_(W), 2 / (FAN_IN + FAN_OUT)),
    (xavier_uniform_, lambda W: nn.init.xavier_uniform_(W), 2 / (FAN_IN + FAN_OUT)),
    (he_normal_, lambda W: nn.init.kaiming_normal_(W, nonlinearity="relu"), 2 / FAN_IN),
    (he_uniform_, lambda W: nn.init.kaiming_uniform_(W, nonlinearity="relu"), 2 / FAN_IN),
]


@pytest.mark.parametrize(("ours", "theirs", "variance"), VARIANCES)
def test_variances_over_many_samples(ours, theirs, variance: float) -> None:
    """Glorot's 2 / (fan_in + fan_out) and He's 2 / fan_in, measured on our draws and on torch's."""
    torch.manual_seed(0)
    W_theirs = theirs(torch.empty(FAN_OUT, FAN_IN))
    W_ours = ours(torch.empty(FAN_OUT, FAN_IN), generator=torch.Generator().manual_seed(1))
    for W in (W_ours, W_theirs):
        assert W.mean().item() == pytest.approx(0.0, abs=4 * math.sqrt(variance / W.numel()))
        assert W.var().item() == pytest.approx(variance, rel=0.02)
    assert W_ours.var().item() == pytest.approx(W_theirs.var().item(), rel=0.02)


def test_the_standard_deviations_are_the_papers() -> None:
    assert xavier_std(700, 300) == pytest.approx(math.sqrt(2 / 1000))
    assert xavier_std(700, 300, gain=2.0) == pytest.approx(2 * math.sqrt(2 / 1000))
    assert he_std(700) == pytest.approx(math.sqrt(2 / 700))
    assert he_std(700, gain=1.0) == pytest.approx(math.sqrt(1 / 700))
    # the uniform fillers reach that variance with the bound a = √3 σ
    W = xavier_uniform_(torch.empty(FAN_OUT, FAN_IN), generator=torch.Generator().manual_seed(0))
    assert W.abs().max().item() <= math.sqrt(6 / (FAN_IN + FAN_OUT))
    assert W.abs().max().item() > 0.99 * math.sqrt(6 / (FAN_IN + FAN_OUT))


def test_init_mlp_fills_every_dense_layer_and_zeroes_the_biases() -> None:
    model = MLP([40, 600, 500, 3], generator=torch.Generator().manual_seed(0))
    init_mlp_(model, "he_normal", generator=torch.Generator().manual_seed(1))
    for layer in model.layers:
        assert torch.count_nonzero(layer.bias) == 0
        fan_in = layer.weight.shape[1]
        assert layer.weight.std().item() == pytest.approx(math.sqrt(2 / fan_in), rel=0.05)
    stack = nn.Sequential(nn.Linear(500, 400), nn.ReLU(), nn.Linear(400, 300))
    init_mlp_(stack, "xavier_uniform", generator=torch.Generator().manual_seed(2))
    assert stack[2].weight.var().item() == pytest.approx(2 / 700, rel=0.05)
    assert torch.count_nonzero(stack[0].bias) == 0


def test_init_mlp_is_reproducible_with_a_generator() -> None:
    a, b = (init_mlp_(MLP([8, 16, 4]), "xavier_normal", generator=torch.Generator().manual_seed(5))
            for _ in range(2))
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=0)


def test_he_keeps_a_deep_relu_stack_at_scale_and_xavier_halves_its_variance() -> None:
    """The claim the chapter prints: per ReLU layer, Xavier (equal widths) multiplies the
    variance of the pre-activations by about 1/2, He by about 1."""
    depth, width = 12, 256
    X = torch.randn(512, width, generator=torch.Generator().manual_seed(0))
    stds = {}
    for scheme in ("xavier_normal", "he_normal"):
        model = MLP([width] * (depth + 1), activation="relu", generator=torch.Generator().manual_seed(1))
        init_mlp_(model, scheme, generator=torch.Generator().manual_seed(2))
        stds[scheme] = preactivation_stds(model, X)
    per_layer_xavier = (stds["xavier_normal"][-1] / stds["xavier_normal"][0]) ** (1 / (depth - 1))
    per_layer_he = (stds["he_normal"][-1] / stds["he_normal"][0]) ** (1 / (depth - 1))
    assert per_layer_xavier == pytest.approx(1 / math.sqrt(2), rel=0.05)
    assert per_layer_he == pytest.approx(1.0, rel=0.05)


def test_preactivation_stds_follow_the_forward_pass() -> None:
    model = MLP([5, 7, 3], activation="tanh", generator=torch.Generator().manual_seed(0))
    X = torch.randn(50, 5, generator=torch.Generator().manual_seed(1))
    Z1 = X @ model.layers[0].weight.T + model.layers[0].bias
    Z2 = torch.tanh(Z1) @ model.layers[1].weight.T + model.layers[1].bias
    assert preactivation_stds(model, X) == pytest.approx([Z1.std().item(), Z2.std().item()], rel=1e-6)
    per_unit = [Z1.std(dim=0).mean().item(), Z2.std(dim=0).mean().item()]
    assert preactivation_stds(model, X, per_unit=True) == pytest.approx(per_unit, rel=1e-6)


def test_per_unit_spread_sees_a_constant_output() -> None:
    """A layer whose output is the same for every example has no spread per unit, while the
    spread of all its entries (over the units' different biases) stays."""
    model = MLP([4, 6, 3], activation="relu", generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        model.layers[0].weight.zero_()  # layer 1 ignores X: Z1 = b1 for every example
    X = torch.randn(32, 4, generator=torch.Generator().manual_seed(1))
    overall, per_unit = preactivation_stds(model, X), preactivation_stds(model, X, per_unit=True)
    assert per_unit[0] == 0 and per_unit[1] == 0
    assert overall[0] > 0


def test_bad_input_fails_early_with_a_message() -> None:
    with pytest.raises(ValueError, match=r"fans expects a weight shape"):
        fans((5,))
    with pytest.raises(ValueError, match=r"fans expects a weight shape"):
        xavier_normal_(torch.empty(4))
    with pytest.raises(ValueError, match=r"0 < gain < inf"):
        xavier_normal_(torch.empty(4, 3), gain=0.0)
    with pytest.raises(ValueError, match=r"mode 'fan_in' or 'fan_out'"):
        he_normal_(torch.empty(4, 3), mode="fan_avg")
    with pytest.raises(ValueError, match=r"he_std expects fan"):
        he_std(0)
    with pytest.raises(ValueError, match=r"recommended_gain expects one of"):
        recommended_gain("gelu")
    with pytest.raises(ValueError, match=r"init_mlp_ expects scheme"):
        init_mlp_(MLP([2, 2]), "zeros")
    with pytest.raises(ValueError, match=r"dense layers"):
        init_mlp_(nn.ReLU(), "he_normal")
    with pytest.raises(ValueError, match=r"B >= 2"):
        preactivation_stds(MLP([2, 2]), torch.zeros(1, 2))
    with pytest.raises(ValueError, match=r"expects a dlbook.mlp.MLP"):
        preactivation_stds(nn.Sequential(nn.Linear(2, 2)), torch.zeros(1, 2))
    assert set(SCHEMES) == {"xavier_normal", "xavier_uniform", "he_normal", "he_uniform"}

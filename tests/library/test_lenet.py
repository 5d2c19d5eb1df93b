"""dlbook.lenet: shapes, parameter counts by formula, feature maps, errors, and training on digits."""

from __future__ import annotations

import doctest

import pytest
import torch
import torch.nn.functional as F

import dlbook.lenet
from dlbook.lenet import LeNet, LeNetConfig

pytestmark = pytest.mark.usefixtures("one_thread")  # tests/library/conftest.py


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


CONFIGS = {
    "digits": LeNetConfig(),
    "lenet5": LeNetConfig(image_size=32, kernel_size=5, padding=0, hidden=(120, 84)),  # LeCun et al. 1998
    "rgb_three_blocks": LeNetConfig(image_size=16, in_channels=3, channels=(4, 8, 5), num_classes=3),
    "even_kernel_tanh": LeNetConfig(image_size=9, channels=(5,), kernel_size=2, pool_size=3, hidden=(7,),
                                    activation="tanh"),
}


def expected_count(cfg: LeNetConfig) -> int:
    """Σ_b (C_{b−1}·k² + 1)·C_b over the convs + Σ (n_in + 1)·n_out over the dense layers."""
    k, p = cfg.kernel_size, (cfg.kernel_size - 1) // 2 if cfg.padding is None else cfg.padding
    total, C, H = 0, cfg.in_channels, cfg.image_size
    for C_out in cfg.channels:
        total += (C * k * k + 1) * C_out
        H = ((H + 2 * p - k) + 1) // cfg.pool_size  # conv (stride 1), then a pool that tiles
        C = C_out
    sizes = [C * H * H, *cfg.hidden, cfg.num_classes]
    return total + sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


@pytest.mark.parametrize("name", CONFIGS)
def test_parameter_count_by_formula(name: str) -> None:
    model = LeNet(CONFIGS[name], generator=gen())
    assert model.num_parameters() == expected_count(CONFIGS[name])
    assert model.num_parameters() == sum(p.numel() for p in model.parameters())


def test_parameter_counts_of_the_default_and_of_lenet5() -> None:
    # the table in dlbook/lenet.py's docstring
    assert LeNet(generator=gen()).parameter_counts() == {"conv1": 60, "conv2": 880, "dense1": 650}
    # LeNet-5's shape with every C3 map reading all six S2 maps (the paper's C3 reads only some: ~60,000)
    assert LeNet(CONFIGS["lenet5"], generator=gen()).num_parameters() == 156 + 2416 + 48120 + 10164 + 850


@pytest.mark.parametrize("name", CONFIGS)
def test_feature_shapes_and_maps(name: str) -> None:
    cfg = CONFIGS[name]
    model = LeNet(cfg, generator=gen())
    X = torch.rand(3, cfg.in_channels, cfg.image_size, cfg.image_size, generator=gen(1))
    logits, features = model(X, return_features=True)
    assert logits.shape == (3, cfg.num_classes)
    torch.testing.assert_close(logits, model(X))
    shapes = dict(model.feature_shapes)
    assert shapes["input"] == tuple(X.shape[1:])
    n_blocks = len(cfg.channels)
    blocks = range(1, n_blocks + 1)
    assert list(features) == [f"{kind}{b}" for b in blocks for kind in ("conv", "act", "pool")]
    for b in blocks:
        assert tuple(features[f"conv{b}"].shape[1:]) == shapes[f"conv{b}"]
        assert tuple(features[f"pool{b}"].shape[1:]) == shapes[f"pool{b}"]
    assert shapes["flatten"] == (features[f"pool{n_blocks}"][0].numel(),)


def test_features_are_the_layers_outputs() -> None:
    model = LeNet(generator=gen())
    X = torch.rand(2, 1, 8, 8, generator=gen(1))
    _, f = model(X, return_features=True)
    conv1 = model.convs[0]
    torch.testing.assert_close(f["conv1"], F.conv2d(X, conv1.weight, conv1.bias, padding=1))
    torch.testing.assert_close(f["act1"], torch.relu(f["conv1"]))
    torch.testing.assert_close(f["pool1"], F.max_pool2d(f["act1"], 2))
    assert model.feature_shapes == [("input", (1, 8, 8)), ("conv1", (6, 8, 8)), ("pool1", (6, 4, 4)),
                                    ("conv2", (16, 4, 4)), ("pool2", (16, 2, 2)), ("flatten", (64,))]


def test_initialisation_from_the_generator_only() -> None:
    state = torch.random.get_rng_state()
    a, b = LeNet(generator=gen(3)), LeNet(generator=gen(3))
    assert torch.equal(torch.random.get_rng_state(), state)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    assert not torch.equal(a.convs[0].weight, LeNet(generator=gen(4)).convs[0].weight)


def test_bad_inputs_and_configs_are_named() -> None:
    model = LeNet(generator=gen())
    with pytest.raises(ValueError, match=r"LeNet expects X of shape \(N, 1, 8, 8\), got \(5, 8, 8\); "
                                         r"add the channel axis with X.unsqueeze\(1\)"):
        model(torch.zeros(5, 8, 8))
    with pytest.raises(ValueError, match=r"LeNet expects X of shape \(N, 1, 8, 8\), got \(5, 1, 28, 28\)"):
        model(torch.zeros(5, 1, 28, 28))
    with pytest.raises(ValueError, match=r"image_size 4 is too small for conv block 3 \(a 1x1 map, kernel 3, "
                                         r"padding 1, pool 2\)"):
        LeNet(LeNetConfig(image_size=4, channels=(2, 2, 2)))
    with pytest.raises(ValueError, match="LeNetConfig expects kernel_size to be a positive int, got 0"):
        LeNet(LeNetConfig(kernel_size=0))
    with pytest.raises(ValueError, match=r"at least one conv block, got channels=\(\)"):
        LeNet(LeNetConfig(channels=()))
    with pytest.raises(ValueError, match="activation"):
        LeNet(LeNetConfig(activation="swishy"))


def test_trains_on_digits() -> None:
    pytest.importorskip("sklearn")
    from dlbook.datasets import digits

    X, y = digits(as_images=True)
    X = X.unsqueeze(1) / 16  # (1797, 1, 8, 8), grey levels in [0, 1]
    X_train, y_train, X_test, y_test = X[:256], y[:256], X[1000:1400], y[1000:1400]
    model = LeNet(generator=gen())
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    for _ in range(30):  # full batch
        loss = F.cross_entropy(model(X_train), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        train_accuracy = (model(X_train).argmax(dim=1) == y_train).float().mean().item()
        test_accuracy = (model(X_test).argmax(dim=1) == y_test).float().mean().item()
    assert train_accuracy > 0.95, train_accuracy
    assert test_accuracy > 0.5, test_accuracy  # 256 examples and 30 steps: well above chance (0.1)


def test_doctests() -> None:
    assert doctest.testmod(dlbook.lenet).failed == 0

"""dlbook.positional: the sinusoidal table against its formula entry by entry, and both modules' offsets."""

from __future__ import annotations

import math

import pytest
import torch

from dlbook.positional import LearnedPositions, SinusoidalPositions, sinusoidal_encoding

pytestmark = pytest.mark.usefixtures("one_thread")  # tests/library/conftest.py

DTYPE = torch.float64


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("d", [1, 2, 7, 12])
@pytest.mark.parametrize("offset", [0, 5])
def test_sinusoidal_encoding_is_the_formula(d: int, offset: int) -> None:
    T = 9
    pe = sinusoidal_encoding(T, d, offset=offset, dtype=DTYPE)
    assert pe.shape == (T, d) and pe.dtype == DTYPE
    for row in range(T):
        t = offset + row
        for j in range(d):
            i = j // 2  # columns 2i and 2i + 1 share the wavelength 10000^{2i/d}·2π
            angle = t / 10000 ** (2 * i / d)
            expected = math.sin(angle) if j % 2 == 0 else math.cos(angle)
            assert float(pe[row, j]) == pytest.approx(expected, abs=1e-12)


def test_sinusoidal_encoding_in_default_dtype_and_relative_shift() -> None:
    assert sinusoidal_encoding(3, 4).dtype == torch.get_default_dtype()
    # PE[t + k] is PE[t] with each (sin, cos) pair rotated by the angle k ω_i, whatever t
    d, k = 8, 3
    pe = sinusoidal_encoding(20, d, dtype=DTYPE)
    omega = 1 / 10000 ** (torch.arange(0, d, 2, dtype=DTYPE) / d)  # (d/2,)
    c, s = torch.cos(k * omega), torch.sin(k * omega)
    sin_t, cos_t = pe[:-k, 0::2], pe[:-k, 1::2]
    torch.testing.assert_close(pe[k:, 0::2], sin_t * c + cos_t * s)  # sin(a + b)
    torch.testing.assert_close(pe[k:, 1::2], cos_t * c - sin_t * s)  # cos(a + b)


def test_sinusoidal_positions_add_the_table_at_an_offset() -> None:
    pos = SinusoidalPositions(7, max_len=12)
    x = torch.randn(3, 5, 7, generator=gen(0), dtype=DTYPE)
    torch.testing.assert_close(pos(x), x + sinusoidal_encoding(5, 7, dtype=DTYPE))
    torch.testing.assert_close(pos(x, offset=7), x + sinusoidal_encoding(12, 7, dtype=DTYPE)[7:])
    assert list(pos.parameters()) == [] and pos.state_dict() == {}
    assert pos(x.float()).dtype == torch.float32


def test_learned_positions_add_their_rows_and_learn_only_those_used() -> None:
    before = torch.get_rng_state()
    pos = LearnedPositions(6, max_len=10, generator=gen(1)).double()
    assert torch.equal(torch.get_rng_state(), before)
    assert torch.equal(pos.weight, LearnedPositions(6, 10, generator=gen(1)).double().weight)
    assert float(pos.weight.detach().std()) == pytest.approx(0.02, rel=0.3)
    x = torch.randn(2, 4, 6, generator=gen(2), dtype=DTYPE)
    out = pos(x, offset=3)
    torch.testing.assert_close(out, x + pos.weight[3:7])
    out.sum().backward()
    assert pos.weight.grad is not None
    used = torch.zeros(10, dtype=torch.bool)
    used[3:7] = True
    assert torch.all(pos.weight.grad[used] == 2) and torch.all(pos.weight.grad[~used] == 0)  # B = 2


@pytest.mark.parametrize("module", [SinusoidalPositions(6, max_len=10),
                                    LearnedPositions(6, max_len=10, generator=gen(3))])
def test_positions_reject_too_long_and_misshapen_input(module: SinusoidalPositions | LearnedPositions
                                                         ) -> None:
    name = type(module).__name__
    x = torch.zeros(2, 4, 6)
    module(x, offset=6)  # positions 6..9: the last ones known
    with pytest.raises(ValueError, match=rf"{name} knows max_len = 10 positions, got T = 4 tokens at "
                                         r"offset 7 \(positions up to 10\)"):
        module(x, offset=7)
    with pytest.raises(ValueError, match=r"max_len = 10 positions, got T = 11"):
        module(torch.zeros(1, 11, 6))
    with pytest.raises(ValueError, match=rf"{name} expects x of shape \(B, T, 6\), got \(2, 4, 5\)"):
        module(x[..., :5])
    with pytest.raises(ValueError, match="offset to be an int >= 0"):
        module(x, offset=-1)


def test_bad_sizes_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="sinusoidal_encoding expects d to be a positive int, got 0"):
        sinusoidal_encoding(4, 0)
    with pytest.raises(ValueError, match="LearnedPositions expects max_len to be a positive int"):
        LearnedPositions(4, 0)
    with pytest.raises(ValueError, match="SinusoidalPositions expects d_model to be a positive int"):
        SinusoidalPositions(2.5, 8)  # type: ignore[arg-type]

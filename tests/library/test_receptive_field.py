"""dlbook.receptive_field: the closed form against the gradients of real stacks.

For one output unit of a stack of dlbook's own Conv2d and pooling layers, the input pixels
that can change it are those whose gradient is non-zero. With positive weights, a positive
input and average pooling every path from such a pixel adds a positive amount, so nothing
cancels: the non-zero rows and columns must be exactly the unit's span from the formula,
clipped to the image. When a stride exceeds its kernel, pixels inside the span are skipped
(only the span's ends must match), and a max pool passes gradient to its winners alone (the
non-zero pixels lie inside the span).
"""

from __future__ import annotations

import doctest
from collections.abc import Iterator

import pytest
import torch
from torch import nn

import dlbook.receptive_field
from dlbook.conv import Conv2d
from dlbook.lenet import LeNet
from dlbook.pooling import AvgPool2d, MaxPool2d
from dlbook.receptive_field import ReceptiveField, layer_geometry, receptive_fields, receptive_fields_of

DTYPE = torch.float64


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/library/conftest.py


Spec = list[tuple[str, int, int, int]]  # (kind, kernel, stride, padding) per layer

DENSE_STACKS: dict[str, Spec] = {  # every stride ≤ its kernel: no pixel inside a span is skipped
    "two_3x3": [("conv", 3, 1, 0), ("conv", 3, 1, 0)],
    "padded_3x3_pool_3x3": [("conv", 3, 1, 1), ("avg", 2, 2, 0), ("conv", 3, 1, 1)],
    "strided_5_then_3": [("conv", 5, 2, 2), ("conv", 3, 2, 1), ("conv", 2, 1, 0)],
    "lenet_like": [("conv", 3, 1, 1), ("avg", 2, 2, 0), ("conv", 3, 1, 1), ("avg", 2, 2, 0)],
    "pool_overlapping": [("avg", 3, 2, 1), ("conv", 2, 2, 0), ("avg", 2, 1, 0)],
}
SPARSE_STACKS: dict[str, Spec] = {  # a stride beyond its kernel: holes inside the span
    "dilating": [("conv", 1, 2, 0), ("conv", 3, 1, 0)],
    "skip_then_pad": [("conv", 2, 3, 1), ("conv", 3, 1, 1)],
}
MAX_STACKS: dict[str, Spec] = {
    "lenet": [("conv", 3, 1, 1), ("max", 2, 2, 0), ("conv", 3, 1, 1), ("max", 2, 2, 0)],
    "overlapping_max": [("conv", 3, 1, 0), ("max", 3, 2, 1), ("conv", 2, 1, 0)],
}


def build(spec: Spec, channels: int = 2) -> nn.Sequential:
    """The stack, with conv weights drawn from U(0.1, 1) and zero biases: every path counts."""
    g = torch.Generator().manual_seed(0)
    layers: list[nn.Module] = []
    for kind, k, s, p in spec:
        if kind == "conv":
            conv = Conv2d(channels, channels, k, stride=s, padding=p, generator=g).to(DTYPE)
            with torch.no_grad():
                conv.weight.uniform_(0.1, 1.0, generator=g)
                assert conv.bias is not None
                conv.bias.zero_()
            layers.append(conv)
        else:
            layers.append((AvgPool2d if kind == "avg" else MaxPool2d)(k, stride=s, padding=p))
    return nn.Sequential(*layers)


def gradient_support(model: nn.Module, size: int) -> Iterator[tuple[int, int, list[int], list[int]]]:
    """For each output unit (i, j) of channel 0: the input rows and columns with a non-zero gradient."""
    x = torch.rand(1, 2, size, size, generator=torch.Generator().manual_seed(1), dtype=DTYPE) + 0.5
    x.requires_grad_(True)
    out = model(x)  # (1, 2, Ho, Wo)
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            (g,) = torch.autograd.grad(out[0, 0, i, j], x, retain_graph=True)
            nonzero = g[0].abs().sum(dim=0) > 0  # (H, W)
            rows = nonzero.any(dim=1).nonzero().flatten().tolist()
            cols = nonzero.any(dim=0).nonzero().flatten().tolist()
            yield i, j, rows, cols


def clipped(rf: ReceptiveField, i: int, size: int) -> list[int]:
    first, last = rf.span(i)
    return list(range(max(first, 0), min(last, size - 1) + 1))


def geometry(spec: Spec) -> list[tuple[int, int, int]]:
    return [(k, s, p) for _, k, s, p in spec]


@pytest.mark.parametrize("size", [11, 16])
@pytest.mark.parametrize("name", DENSE_STACKS)
def test_field_is_exactly_where_the_gradient_is_nonzero(name: str, size: int) -> None:
    spec = DENSE_STACKS[name]
    rf = receptive_fields(geometry(spec))[-1]
    units = 0
    for i, j, rows, cols in gradient_support(build(spec), size):
        assert rows == clipped(rf, i, size), (i, rf)
        assert cols == clipped(rf, j, size), (j, rf)
        units += 1
    assert units > 1


@pytest.mark.parametrize("name", SPARSE_STACKS)
def test_with_holes_the_gradient_lies_inside_the_field_and_reaches_its_ends(name: str) -> None:
    spec, size = SPARSE_STACKS[name], 13
    rf = receptive_fields(geometry(spec))[-1]
    holes = False
    for i, _, rows, _ in gradient_support(build(spec), size):
        span = clipped(rf, i, size)
        assert set(rows) <= set(span)
        first, last = rf.span(i)
        if first >= 0 and last < size:  # a span wholly inside the image: its ends are reached
            assert (rows[0], rows[-1]) == (first, last)
        holes |= len(rows) < len(span)
    assert holes  # the stride really skipped pixels


@pytest.mark.parametrize("name", MAX_STACKS)
def test_max_pooling_sends_gradient_inside_the_field_only(name: str) -> None:
    spec, size = MAX_STACKS[name], 12
    rf = receptive_fields(geometry(spec))[-1]
    for i, j, rows, cols in gradient_support(build(spec), size):
        assert rows and set(rows) <= set(clipped(rf, i, size))
        assert cols and set(cols) <= set(clipped(rf, j, size))


def test_closed_form_on_known_stacks() -> None:
    # one k x k conv sees k pixels, starting p before its position
    assert receptive_fields([(5, 1, 2)]) == [ReceptiveField(size=5, jump=1, start=-2)]
    # n stacked 3x3 convs see 2n + 1 pixels: the reason VGG stacks them
    assert [rf.size for rf in receptive_fields([(3, 1, 1)] * 4)] == [3, 5, 7, 9]
    # a stride multiplies the jump, and every later kernel grows the field by (k − 1)·jump
    fields = receptive_fields([(3, 1, 1), (2, 2, 0), (3, 1, 1), (2, 2, 0)])
    assert [(rf.size, rf.jump, rf.start) for rf in fields] == [(3, 1, -1), (4, 2, -1), (8, 2, -3),
                                                               (10, 4, -3)]
    assert fields[-1].span(1) == (1, 10)
    assert fields[-1].center == 1.5  # unit 0 of the 2x2 maps is centred between pixels 1 and 2
    assert receptive_fields([]) == []


def test_geometry_read_from_layers() -> None:
    assert layer_geometry(Conv2d(1, 2, (5, 3), stride=(2, 1), padding=(2, 0))) == (5, 2, 2)
    assert layer_geometry(Conv2d(1, 2, (5, 3), stride=(2, 1), padding=(2, 0)), axis=1) == (3, 1, 0)
    assert layer_geometry(MaxPool2d(2)) == (2, 2, 0)
    assert layer_geometry(nn.Conv2d(1, 2, 3, padding=1)) == (3, 1, 1)
    assert layer_geometry(nn.MaxPool2d(3)) == (3, 3, 0)  # torch's stride defaults to the kernel too
    assert layer_geometry(nn.AvgPool2d(2, stride=1)) == (2, 1, 0)
    assert layer_geometry(nn.ReLU()) is None
    with pytest.raises(ValueError, match=r"undilated layer, got Conv2d with dilation \(2, 2\)"):
        layer_geometry(nn.Conv2d(1, 1, 3, dilation=2))
    with pytest.raises(ValueError, match=r"numeric padding, got Conv2d with padding='same'"):
        layer_geometry(nn.Conv2d(1, 1, 3, padding="same"))


def test_fields_of_a_model_in_running_order() -> None:
    fields = receptive_fields_of(LeNet())
    assert [name for name, _ in fields] == ["blocks.0.conv", "blocks.0.pool",
                                            "blocks.1.conv", "blocks.1.pool"]
    assert [rf.size for _, rf in fields] == [3, 4, 8, 10]
    torch_stack = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 4, 3))
    assert [(n, rf.size, rf.jump) for n, rf in receptive_fields_of(torch_stack)] == [
        ("0", 3, 1), ("2", 4, 2), ("3", 8, 2)]


def test_bad_layers_are_named() -> None:
    with pytest.raises(ValueError, match=r"layer 1 as \(kernel ≥ 1, stride ≥ 1, padding ≥ 0\) ints, "
                                         r"got \(3, 0, 1\)"):
        receptive_fields([(3, 1, 1), (3, 0, 1)])
    with pytest.raises(ValueError, match=r"layer 0 .* got \(3, 1\)"):
        receptive_fields([(3, 1)])  # type: ignore[list-item]


def test_doctests() -> None:
    assert doctest.testmod(dlbook.receptive_field).failed == 0

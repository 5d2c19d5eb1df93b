"""The receptive field of a stack of convolution and pooling layers, in closed form.

Taught in docs/architectures/convolutional-networks/. Along one axis, a layer with kernel k,
stride s and padding p maps unit i of its output to inputs s·i − p ... s·i − p + k − 1 of
its input. Composed through a stack, a unit of layer l sees ``size`` r_l consecutive input
pixels, neighbouring units are ``jump`` j_l input pixels apart, and unit i's field starts at
input pixel ``start + i·jump`` (negative: in the padding). With r_0 = 1, j_0 = 1, a_0 = 0:

    r_l = r_{l−1} + (k_l − 1)·j_{l−1}      j_l = j_{l−1}·s_l      a_l = a_{l−1} − p_l·j_{l−1}

These are the inputs that *can* reach a unit: when a stride exceeds its kernel some pixels
inside the span are skipped, and a max pool passes gradient only to its winners.
tests/library/test_receptive_field.py checks the formula against the input pixels whose
gradient is non-zero for each output unit of real stacks.

>>> [(rf.size, rf.jump, rf.start) for rf in receptive_fields([(3, 1, 1), (2, 2, 0), (3, 1, 1)])]
[(3, 1, -1), (4, 2, -1), (8, 2, -3)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from torch import nn

from dlbook.conv import pair

__all__ = ["Layer", "ReceptiveField", "layer_geometry", "receptive_fields", "receptive_fields_of"]

Layer = tuple[int, int, int]  # (kernel k, stride s, padding p) of one layer along one axis


@dataclass(frozen=True)
class ReceptiveField:
    """The receptive field of the units of one layer, along one axis, in input pixels."""

    size: int  # r: input pixels one unit sees
    jump: int  # j: input pixels between neighbouring units (the product of the strides so far)
    start: int  # a: first input pixel seen by unit 0 (negative when it lies in the padding)

    def span(self, i: int) -> tuple[int, int]:
        """First and last input pixel seen by unit i: (a + i·j, a + i·j + r − 1), padding included."""
        first = self.start + i * self.jump
        return first, first + self.size - 1

    @property
    def center(self) -> float:
        """The input coordinate of unit 0's centre: a + (r − 1)/2."""
        return self.start + (self.size - 1) / 2


def receptive_fields(layers: Sequence[Layer]) -> list[ReceptiveField]:
    """The receptive field after each layer of a stack, from each layer's (k, s, p).

    One entry per layer, in order; the last is the field of the stack's output units.
    """
    r, j, a = 1, 1, 0  # the input itself: each pixel sees itself, neighbours 1 apart
    fields = []
    for n, layer in enumerate(layers):
        if len(layer) != 3 or any(not isinstance(v, int) or isinstance(v, bool) for v in layer) \
                or layer[0] < 1 or layer[1] < 1 or layer[2] < 0:
            raise ValueError(f"receptive_fields expects layer {n} as (kernel ≥ 1, stride ≥ 1, padding ≥ 0) "
                             f"ints, got {layer!r}")
        k, s, p = layer
        a = a - p * j  # a_l = a_{l−1} − p_l·j_{l−1}: the padding shifts the start left
        r = r + (k - 1) * j  # r_l = r_{l−1} + (k_l − 1)·j_{l−1}
        j = j * s  # j_l = j_{l−1}·s_l
        fields.append(ReceptiveField(r, j, a))
    return fields


def layer_geometry(module: nn.Module, axis: int = 0) -> Layer | None:
    """(k, s, p) of a conv or pooling layer along ``axis`` (0: height, 1: width); None for others.

    Reads ``kernel_size``, ``stride`` and ``padding`` as dlbook's and torch's 2-D conv and
    pooling layers hold them; ReLU, Flatten and the like have none and do not change the field.
    """
    if not all(hasattr(module, a) for a in ("kernel_size", "stride", "padding")):
        return None
    name = type(module).__name__
    dilation = getattr(module, "dilation", 1)
    if dilation not in (1, (1, 1)):
        raise ValueError(f"layer_geometry expects an undilated layer, got {name} with dilation {dilation}")
    kernel, padding = module.kernel_size, module.padding
    stride = module.stride or kernel  # torch's pooling layers may hold stride=None or ()
    if isinstance(padding, str):
        raise ValueError(f"layer_geometry expects numeric padding, got {name} with padding={padding!r}")
    k, s, p = (pair(v, what, "layer_geometry", minimum=m)  # type: ignore[arg-type]
               for v, what, m in ((kernel, "kernel_size", 1), (stride, "stride", 1), (padding, "padding", 0)))
    return k[axis], s[axis], p[axis]


def receptive_fields_of(model: nn.Module, axis: int = 0) -> list[tuple[str, ReceptiveField]]:
    """(name, receptive field) after each conv and pooling layer of ``model``, in registration order.

    Correct for a chain of layers registered in the order they run (nn.Sequential, dlbook.lenet).
    """
    named = [(name, g) for name, m in model.named_modules() if name
             and (g := layer_geometry(m, axis)) is not None]
    fields = receptive_fields([g for _, g in named])
    return [(name, rf) for (name, _), rf in zip(named, fields, strict=True)]

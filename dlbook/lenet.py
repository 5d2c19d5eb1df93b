"""A LeNet-style convolutional network: conv, activation and max pool, repeated, then dense layers.

Taught in docs/architectures/convolutional-networks/. Ref: LeCun et al. 1998 (LeNet-5).
The default ``LeNetConfig`` fits scikit-learn's 8x8 digits (dlbook.datasets.digits):

    input              1 x 8 x 8
    conv 1→6, k3 p1    6 x 8 x 8     6·(1·3·3) + 6   =  60 parameters
    ReLU, max pool 2   6 x 4 x 4
    conv 6→16, k3 p1  16 x 4 x 4    16·(6·3·3) + 16  = 880
    ReLU, max pool 2  16 x 2 x 2
    flatten           64
    dense 64→10       10             64·10 + 10      = 650      total 1590

LeNet-5 itself read 32x32 images with 5x5 kernels and no padding, had dense layers of 120
and 84 units (``hidden=(120, 84)``), and pooled by trainable averages and squashed with tanh
where ReLU and max pooling are the usual choices today. Padding (k − 1)/2 keeps the map's
size through each conv, so only the pools shrink it; on 8x8 inputs two blocks leave 2x2 maps.
``forward(X, return_features=True)`` also returns every intermediate map, for figures.
The layers are dlbook's own (dlbook.conv.Conv2d, dlbook.pooling.MaxPool2d, dlbook.mlp.Dense).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast, overload

import torch
from torch import Tensor, nn

from dlbook.activations import get_activation
from dlbook.conv import Conv2d, conv_output_shape
from dlbook.mlp import Dense
from dlbook.pooling import MaxPool2d

__all__ = ["ConvBlock", "LeNet", "LeNetConfig"]


@dataclass
class LeNetConfig:
    """The shape of a ``LeNet``; the defaults suit 8x8 grey digits in 10 classes."""

    image_size: int = 8  # H = W of the input images (8 for scikit-learn's digits)
    in_channels: int = 1  # 1 for grey levels, 3 for RGB
    channels: tuple[int, ...] = (6, 16)  # output channels of each conv block (LeNet-5: 6, 16)
    kernel_size: int = 3  # k of every conv
    padding: int | None = None  # of every conv; None: (k − 1)//2, which keeps the size for odd k
    pool_size: int = 2  # window and stride of the max pool after each conv: halves H and W
    hidden: tuple[int, ...] = ()  # dense hidden layers after flattening (LeNet-5: (120, 84))
    num_classes: int = 10  # outputs: one logit per class
    activation: str = "relu"  # after every conv and hidden dense layer (dlbook.activations)


class ConvBlock(nn.Module):
    """conv -> activation -> max pool; ``forward`` returns all three maps (N, C_out, ·, ·)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, *, padding: int,
                 pool_size: int, activation: str, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.conv = Conv2d(in_channels, out_channels, kernel_size, padding=padding, generator=generator)
        self.activation = get_activation(activation)
        self.pool = MaxPool2d(pool_size)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        z = self.conv(x)  # (N, C_out, H, W): each filter's response at every position
        a = self.activation(z)  # (N, C_out, H, W)
        return z, a, self.pool(a)  # ..., (N, C_out, H/pool, W/pool)


class LeNet(nn.Module):
    """Conv blocks (conv, activation, max pool) -> flatten -> dense layers -> logits.

    ``forward(X (N, C, H, W)) -> logits (N, num_classes)``. ``feature_shapes`` lists
    (name, shape without the batch axis) after each step, worked out before any data flows.

    >>> model = LeNet(LeNetConfig(), generator=torch.Generator().manual_seed(0))
    >>> model(torch.zeros(5, 1, 8, 8)).shape, model.num_parameters()
    (torch.Size([5, 10]), 1590)
    """

    def __init__(self, cfg: LeNetConfig | None = None, *, generator: torch.Generator | None = None) -> None:
        super().__init__()
        cfg = LeNetConfig() if cfg is None else cfg
        self.cfg = cfg
        for name in ("image_size", "in_channels", "kernel_size", "pool_size", "num_classes"):
            value = getattr(cfg, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"LeNetConfig expects {name} to be a positive int, got {value!r}")
        if not cfg.channels:
            raise ValueError("LeNetConfig expects at least one conv block, got channels=()")
        k = cfg.kernel_size
        p = (k - 1) // 2 if cfg.padding is None else cfg.padding
        blocks = []
        C, H = cfg.in_channels, cfg.image_size
        self.feature_shapes: list[tuple[str, tuple[int, ...]]] = [("input", (C, H, H))]
        for b, C_out in enumerate(cfg.channels, start=1):
            try:
                H_conv, _ = conv_output_shape((H, H), k, padding=p)  # ⌊(H + 2p − k)/1⌋ + 1
                H_pool, _ = conv_output_shape((H_conv, H_conv), cfg.pool_size, stride=cfg.pool_size)
            except ValueError as err:
                raise ValueError(f"LeNetConfig: image_size {cfg.image_size} is too small for conv block {b} "
                                 f"(a {H}x{H} map, kernel {k}, padding {p}, pool {cfg.pool_size}): {err}"
                                 ) from None
            blocks.append(ConvBlock(C, C_out, k, padding=p, pool_size=cfg.pool_size,
                                    activation=cfg.activation, generator=generator))
            self.feature_shapes += [(f"conv{b}", (C_out, H_conv, H_conv)),
                                    (f"pool{b}", (C_out, H_pool, H_pool))]
            C, H = C_out, H_pool
        self.blocks = nn.ModuleList(blocks)  # registered in running order, for receptive_fields_of
        sizes = [C * H * H, *cfg.hidden, cfg.num_classes]  # flattened maps, hidden units, classes
        self.feature_shapes.append(("flatten", (sizes[0],)))
        self.dense = nn.ModuleList(
            Dense(n_in, n_out, activation=cfg.activation if i < len(sizes) - 2 else "linear",
                  generator=generator)
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))
        )

    def check_input(self, X: Tensor) -> None:
        C, H = self.cfg.in_channels, self.cfg.image_size
        if X.ndim != 4 or tuple(X.shape[1:]) != (C, H, H):
            hint = "; add the channel axis with X.unsqueeze(1)" if X.ndim == 3 and C == 1 else ""
            raise ValueError(f"LeNet expects X of shape (N, {C}, {H}, {H}), got {tuple(X.shape)}{hint}")

    @overload
    def forward(self, X: Tensor, *, return_features: Literal[False] = False) -> Tensor: ...

    @overload
    def forward(self, X: Tensor, *, return_features: Literal[True]) -> tuple[Tensor, dict[str, Tensor]]: ...

    def forward(self, X: Tensor, *, return_features: bool = False
                ) -> Tensor | tuple[Tensor, dict[str, Tensor]]:
        """Logits (N, num_classes); with ``return_features`` also {"conv1", "act1", "pool1", ...} maps."""
        self.check_input(X)
        features: dict[str, Tensor] = {}
        h = X  # (N, C_in, H, W)
        for b, block in enumerate(self.blocks, start=1):
            z, a, h = block(h)  # (N, C_b, H, W) twice, then (N, C_b, H/2, W/2)
            features |= {f"conv{b}": z, f"act{b}": a, f"pool{b}": h}
        h = h.flatten(1)  # (N, C_L·H_L·W_L)
        for layer in self.dense:
            h = layer(h)  # (N, units), the last (N, num_classes)
        return (h, features) if return_features else h

    @property
    def convs(self) -> list[Conv2d]:
        """The conv layers in order: ``model.convs[0].weight`` (6, 1, 3, 3) are the first filters."""
        return [cast(ConvBlock, block).conv for block in self.blocks]

    def parameter_counts(self) -> dict[str, int]:
        """Parameters of each layer ("conv1", ..., "dense1", ...), for a table in the chapter."""
        counts = {f"conv{b}": sum(p.numel() for p in m.parameters()) for b, m in enumerate(self.convs, 1)}
        counts |= {f"dense{i}": sum(p.numel() for p in m.parameters()) for i, m in enumerate(self.dense, 1)}
        return counts

    def num_parameters(self) -> int:
        """All trainable numbers: Σ_b (C_{b−1}·k² + 1)·C_b + Σ_dense (n_in + 1)·n_out."""
        return sum(self.parameter_counts().values())

"""Trained figures of docs/architectures/convolutional-networks, built from dlbook.conv and dlbook.lenet.

- ``conv-worked-example``: the lectures' 5x5 image cross-correlated with their 3x3 kernel,
  computed with dlbook.conv.conv2d; its ``data.json`` is a ``"conv-window"`` explorable
  that spells out the sum of products behind any output cell.
- ``conv-photo-kernels``: a photograph (Grace Hopper, public domain, from matplotlib's sample
  data) under hand-made kernels: identity, sharpen, edge and a Sobel filter, the Sobel also
  flipped (true convolution, dlbook.conv.convolve2d); its ``data.json`` is an ``"image-picker"``.
- ``lenet-digits``: dlbook.lenet.LeNet trained on the 8x8 digits; its ``data.json`` is a
  ``"heatmap"`` of the first layer's six filters and their feature maps on one test digit,
  epoch by epoch.
- ``translation-canvas``: digits pasted at random places on a larger canvas, a small CNN
  against an MLP with about as many parameters.

Every run draws its data and its initial weights from ``torch.Generator`` objects seeded
from ``ctx.seed``; the global RNG is never used.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlbook.callbacks import Callback
from dlbook.conv import LECTURE_IMAGE, LECTURE_KERNEL, conv2d, convolve2d, window_products
from dlbook.figures.kinds import check_heatmap, heatmap_data
from dlbook.figures.kinds_conv import conv_window_data, image_picker_data
from dlbook.lenet import LeNet, LeNetConfig
from dlbook.metrics import accuracy
from dlbook.mlp import MLP
from dlbook.palette import NEUTRAL, class_color
from dlbook.plot import learning_curves, learning_curves_legend
from dlbook.pooling import avg_pool2d
from dlbook.splits import digit_splits
from dlbook.train import FitConfig, History, fit
from dlbook_build.figures.registry import Context, FigureResult, register


def generator(ctx: Context, offset: int = 0) -> torch.Generator:
    """A CPU generator seeded from the figure's seed (``offset`` separates independent streams)."""
    return torch.Generator().manual_seed(ctx.seed + offset)


def signif(values: Sequence[float], digits: int = 4) -> list[float]:
    """Values to ``digits`` significant digits, to keep data.json small."""
    return [float(f"{v:.{digits}g}") for v in values]


def number(v: float) -> str:
    """A grid entry as a reader writes it: 4, 0.5, −1 (a true minus)."""
    return f"{v:g}".replace("-", "−")


def draw_numbers(ax: Any, m: Tensor, *, title: str, cmap: str = "Greys", vmax: float = 1.0,
                 box: int = 5) -> None:
    """A matrix as a grid of shaded cells with its numbers, centred in a ``box`` x ``box`` frame.

    Every grid drawn with the same ``box`` has cells of the same size, whatever its shape.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    colours = plt.get_cmap(cmap)
    R, C = m.shape
    for i in range(R):
        for j in range(C):
            v = float(m[i, j])
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=colours(0.35 * v / vmax),
                                   edgecolor=NEUTRAL, lw=0.8))
            ax.text(j, i, number(v), ha="center", va="center", fontsize=13)
    ax.add_patch(Rectangle((-0.5, -0.5), C, R, fill=False, edgecolor="black", lw=1.2, clip_on=False))
    ax.set(xlim=((C - box) / 2 - 0.5, (C + box) / 2 - 0.5), ylim=((R + box) / 2 - 0.5, (R - box) / 2 - 0.5),
           aspect="equal")
    ax.set_axis_off()
    ax.text((C - 1) / 2, -0.7, title, ha="center", va="bottom", fontsize=11)


# --- 1. The worked example: a 5x5 image, a 3x3 kernel, a 3x3 output ---------------------------------

@dataclass(frozen=True)
class WorkedExampleConfig:
    stride: int = 1  # s: the kernel moves s cells per step
    padding: int = 0  # p: rings of zeros around the image
    cell: tuple[int, int] = (0, 0)  # (i, j): the output cell whose window the static figure frames


@register(
    "conv-worked-example",
    smoke=WorkedExampleConfig(),
    full=WorkedExampleConfig(),
    caption="The lectures' worked example: a 5x5 binary image x cross-correlated with a 3x3 kernel w "
            "(an \"x\" shape), stride 1, no padding, gives a 3x3 output. The framed window and the "
            "framed output cell are one step: the nine products of window and kernel, summed.",
)
def conv_worked_example(cfg: WorkedExampleConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    x, w = LECTURE_IMAGE, LECTURE_KERNEL  # (5, 5), (3, 3)
    kh, kw = w.shape
    y = conv2d(x[None, None], w[None, None], stride=cfg.stride, padding=cfg.padding)[0, 0]  # (H_out, W_out)
    i, j = cfg.cell
    step = window_products(x, w, i, j, stride=cfg.stride, padding=cfg.padding)
    # every output cell equals the sum of products of its window (the explorable's promise)
    cells = torch.cartesian_prod(torch.arange(y.shape[0]), torch.arange(y.shape[1])).tolist()
    worst = max(abs(window_products(x, w, a, b, stride=cfg.stride, padding=cfg.padding).value
                    - float(y[a, b])) for a, b in cells)

    fig, axes = plt.subplots(1, 3, figsize=(9, 3.4), layout="constrained")
    x_shown = F.pad(x, [cfg.padding] * 4)  # the padded image the kernel slides over
    box = max(x_shown.shape)
    draw_numbers(axes[0], x_shown, title=f"input $x$ ({x.shape[0]}x{x.shape[1]})", box=box)
    draw_numbers(axes[1], w, title=f"kernel $w$ ({kh}x{kw})", box=box)
    draw_numbers(axes[2], y, title=rf"output $y = x \star w$ ({y.shape[0]}x{y.shape[1]})", cmap="Blues",
                 vmax=float(y.max()), box=box)
    frame = {"fill": False, "lw": 3, "color": class_color(1)}
    axes[0].add_patch(Rectangle((cfg.stride * j - 0.5, cfg.stride * i - 0.5), kw, kh, **frame))
    axes[2].add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, **frame))
    terms = " + ".join(f"{number(a)}·{number(b)}" for a, b in zip(step.window.flatten().tolist(),
                                                                   w.flatten().tolist(), strict=True))
    fig.supxlabel(f"y[{i}, {j}] = {terms} = {number(step.value)}", fontsize=10)
    for ax, sign, size in ((axes[1], r"$\star$", 34), (axes[2], "=", 26)):  # the operators, left of the grids
        ax.text(-0.5 - (box - 3) / 4 - 0.3, (ax.get_ylim()[0] + ax.get_ylim()[1]) / 2, sign, ha="center",
                va="center", fontsize=size)

    data = conv_window_data(x, w, stride=cfg.stride, padding=cfg.padding,
                            labels={"input": "input x", "kernel": "kernel w", "output": "output y = x ⋆ w"})
    metrics = {f"y[{i},{j}]": step.value, "output_sum": float(y.sum()), "output_cells": float(y.numel()),
               "max_window_error": worst}
    return FigureResult(fig, metrics=metrics, data=data)


# --- 2. Hand-made kernels on a photograph ------------------------------------------------------------

KERNELS: dict[str, list[list[float]]] = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "edge": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],  # the Laplacian: zero wherever the image is flat
    "Sobel x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],  # brighter to the right: a vertical edge
}
SIGNED = ("edge", "Sobel x")  # kernels whose weights sum to 0: outputs of both signs, 0 drawn mid grey
FLIPPED = "Sobel x"  # also applied as a true convolution (kernel turned 180°), to show the flip matters


@dataclass(frozen=True)
class PhotoConfig:
    pool: int = 4  # average-pool the 600x512 photograph by this factor: 150x128 pixels
    percentile: float = 98.0  # signed outputs: |value| at this percentile is drawn black or white


def photo(pool: int) -> Tensor:
    """matplotlib's sample photograph of Grace Hopper in grey levels [0, 1], average-pooled: (1, 1, H, W)."""
    import matplotlib.cbook as cbook
    import matplotlib.image as mpimg

    rgb = torch.from_numpy(mpimg.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).copy())
    grey = (rgb.float() / 255) @ torch.tensor([0.299, 0.587, 0.114])  # (600, 512): luma, ITU-R 601
    return avg_pool2d(grey[None, None], pool)  # (1, 1, 600/pool, 512/pool)


def png_bytes(image: Tensor) -> bytes:
    """An (H, W) tensor of grey levels in [0, 1] as an optimised 8-bit grayscale PNG (mode "L")."""
    from PIL import Image

    buffer = io.BytesIO()
    pixels = (image.clamp(0, 1) * 255).round().to(torch.uint8).numpy()
    Image.fromarray(pixels).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@register(
    "conv-photo-kernels",
    smoke=PhotoConfig(pool=8),
    full=PhotoConfig(),
    caption="One grayscale photograph cross-correlated (dlbook.conv.conv2d, no padding) with four "
            "hand-made 3x3 kernels, written above each image: identity, sharpen, edge (a Laplacian) and "
            "the Sobel filter, which answers to vertical edges. The last image flips the Sobel kernel "
            "(true convolution): every response changes sign. Edge and Sobel outputs are signed: zero is "
            "mid grey. Photograph: Grace Hopper, public domain, from matplotlib's sample data.",
)
def conv_photo_kernels(cfg: PhotoConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    x = photo(cfg.pool)  # (1, 1, H, W)
    weight = torch.tensor(list(KERNELS.values()), dtype=torch.float32)[:, None]  # (K, 1, 3, 3)
    outputs = dict(zip(KERNELS, conv2d(x, weight)[0], strict=True))  # name -> (H − 2, W − 2)
    flip_name = f"{FLIPPED}, flipped"
    outputs[flip_name] = convolve2d(x, weight[list(KERNELS).index(FLIPPED)][None])[0, 0]
    kernels = {**KERNELS, flip_name: torch.tensor(KERNELS[FLIPPED]).flip(0, 1).tolist()}  # as applied
    # signed outputs share one scale, so the Sobel and its flip read alike: v ↦ 1/2 + v / (2m)
    m = {k: float(torch.quantile(outputs[k].abs().flatten(), cfg.percentile / 100)) for k in SIGNED}
    m[flip_name] = m[FLIPPED]
    shown = {k: 0.5 + v / (2 * m[k]) if k in m else v for k, v in outputs.items()}  # grey levels, unclipped

    alts = {"identity": "the photograph, unchanged", "sharpen": "the photograph, sharpened",
            "edge": "mid grey, with the outlines of the portrait in black and white",
            "Sobel x": "mid grey, with vertical edges white where the image brightens to the right",
            flip_name: "the Sobel image with black and white swapped"}
    pngs = {k: png_bytes(v) for k, v in shown.items()}
    data = image_picker_data([(k, pngs[k], f"Grace Hopper's portrait under the {k} kernel: {alts[k]}",
                               kernels[k]) for k in shown], legend="Kernel")
    data["operation"] = {k: "convolution (kernel flipped)" if k == flip_name else "cross-correlation"
                         for k in shown}

    fig, axes = plt.subplots(1, len(shown), figsize=(10, 3.9), layout="constrained")
    for ax, (k, v) in zip(axes, shown.items(), strict=True):
        ax.imshow(v.clamp(0, 1).numpy(), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        rows = "\n".join(" ".join(f"{number(e):>2}" for e in row) for row in kernels[k])
        ax.set_title(f"{k}\n{rows}", fontsize=9, fontfamily="monospace")
        ax.set_axis_off()
    H, W = outputs["identity"].shape
    metrics = {"height": float(H), "width": float(W),
               "flip_error": float((outputs[flip_name] + outputs[FLIPPED]).abs().max()),  # antisymmetric: 0
               "clipped_fraction": float(torch.stack([(shown[k] - 0.5).abs().gt(0.5).float().mean()
                                                      for k in m]).mean()),  # signed pixels beyond ±m
               "png_kb": sum(len(p) for p in pngs.values()) / 1024}
    return FigureResult(fig, metrics=metrics, data=data)


# --- 3. LeNet on the 8x8 digits, its first layer epoch by epoch ---------------------------------------

def as_images(X: Tensor, size: int = 8) -> Tensor:
    """Flat digits (N, size²) as one-channel images (N, 1, size, size)."""
    return X.view(-1, 1, size, size)


def train(model: nn.Module, train_data: tuple[Tensor, Tensor], val_data: tuple[Tensor, Tensor], *,
          ctx: Context, num_epochs: int, batch_size: int, lr: float,
          callbacks: Sequence[Callback] = ()) -> History:
    """``fit`` with its default optimiser (dlbook.optim.Adam), cross-entropy, accuracy logged."""
    config = FitConfig(num_epochs=num_epochs, batch_size=batch_size, lr=lr, seed=ctx.seed,
                       device=str(ctx.device))
    return fit(model, train_data, loss_fn=F.cross_entropy, config=config, val_data=val_data,
               metrics={"acc": accuracy}, callbacks=callbacks)


@torch.no_grad()
def test_accuracy(model: nn.Module, X: Tensor, y: Tensor) -> tuple[float, Tensor]:
    """Accuracy of ``model`` on (X, y), and its predicted classes (N,) on the CPU."""
    device = next(model.parameters()).device
    model.eval()
    y_hat = model(X.to(device)).cpu()  # (N, num_classes)
    return float(accuracy(y_hat, y)), y_hat.argmax(dim=1)


def snapshot_epochs(num_epochs: int, frames: int) -> list[int]:
    """At most ``frames`` epochs from 0 (before training) to ``num_epochs``, denser early on."""
    t = torch.linspace(0, 1, frames)
    return sorted({round(num_epochs * float(v) ** 1.5) for v in t})


class FirstLayerSnapshots(Callback):
    """The first conv layer's filters and its feature maps on one input, before and during training."""

    def __init__(self, x: Tensor, epochs: Sequence[int]) -> None:
        self.x, self.epochs = x, set(epochs)  # x (1, 1, H, W)
        self.filters: dict[int, Tensor] = {}  # epoch -> (C_1, kH, kW)
        self.maps: dict[int, Tensor] = {}  # epoch -> (C_1, H, W): z = w ⋆ x + b, before the ReLU
        self.model: LeNet | None = None

    @torch.no_grad()
    def take(self, epoch: int) -> None:
        assert self.model is not None
        device = self.model.convs[0].weight.device
        _, features = self.model(self.x.to(device), return_features=True)
        self.filters[epoch] = self.model.convs[0].weight[:, 0].cpu().clone()  # (C_1, kH, kW)
        self.maps[epoch] = features["conv1"][0].cpu()  # (C_1, H, W)

    def on_fit_start(self, model: nn.Module) -> None:
        assert isinstance(model, LeNet)
        self.model = model
        if 0 in self.epochs:
            self.take(0)

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float]) -> bool:
        if epoch in self.epochs:
            self.take(epoch)
        return False


def tile(mats: Tensor, cols: int) -> list[list[float | None]]:
    """Matrices (n, R, C) tiled ``cols`` to a row with one empty (None) row/column between them."""
    n, R, C = mats.shape
    rows = -(-n // cols)
    grid: list[list[float | None]] = [[None] * (cols * (C + 1) - 1) for _ in range(rows * (R + 1) - 1)]
    for k in range(n):
        r0, c0 = (k // cols) * (R + 1), (k % cols) * (C + 1)
        for i in range(R):
            for j in range(C):
                grid[r0 + i][c0 + j] = float(mats[k, i, j])
    return grid


def tile_labels(n_tiles: int, size: int) -> list[str]:
    """Axis labels of a tiled panel: 1..size in each tile, "" on the gaps."""
    return ([*[str(i) for i in range(1, size + 1)], ""] * n_tiles)[:-1]


@dataclass(frozen=True)
class LeNetRunConfig:
    num_epochs: int = 30
    batch_size: int = 32
    lr: float = 0.01  # Adam
    frames: int = 16  # snapshots of the first layer, epoch 0 included (≤ 20)
    digit: int = 0  # which test digit the feature maps are shown on
    tile_cols: int = 3  # the explorable tiles the six filters and maps 3 to a row


@register(
    "lenet-digits",
    smoke=LeNetRunConfig(num_epochs=2, frames=3),
    full=LeNetRunConfig(),
    caption="dlbook's LeNet (conv 1→6, conv 6→16, each 3x3 with ReLU and 2x2 max pooling, then one dense "
            "layer: 1590 parameters) trained with Adam on the 1000 training digits of scikit-learn's 8x8 "
            "set. Left: training (dashed) and validation (solid) accuracy, and the test accuracy. Right: "
            "after the last epoch, the six 3x3 filters of the first layer (top) and their feature maps "
            "z = w ⋆ x + b on one test digit (bottom); red is positive, blue negative.",
)
def lenet_digits(cfg: LeNetRunConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    (X_train, y_train), (X_val, y_val), (X_test, y_test) = digit_splits(ctx.seed)
    train_data, val_data = (as_images(X_train), y_train), (as_images(X_val), y_val)
    x = as_images(X_test[cfg.digit: cfg.digit + 1])  # (1, 1, 8, 8)
    model = LeNet(LeNetConfig(), generator=generator(ctx))
    epochs = snapshot_epochs(cfg.num_epochs, cfg.frames)
    snaps = FirstLayerSnapshots(x, epochs)
    history = train(model, train_data, val_data, ctx=ctx, num_epochs=cfg.num_epochs,
                    batch_size=cfg.batch_size, lr=cfg.lr, callbacks=[snaps])
    test_acc, _ = test_accuracy(model, as_images(X_test), y_test)
    n_params = model.num_parameters()

    # the explorable: frames = epochs, two panels of tiled matrices on one symmetric colour scale
    values = [[tile(snaps.filters[e], cfg.tile_cols), tile(snaps.maps[e], cfg.tile_cols)] for e in epochs]
    m = max(float(t.abs().max()) for t in [*snaps.filters.values(), *snaps.maps.values()])
    data = heatmap_data(epochs, ["filters w (3x3), 1-3 on top, 4-6 below",
                                 "feature maps z = w ⋆ x + b on a test digit"], values,
                        frame_label="epoch", value_label="weight / response", digits=3)
    C_1 = snaps.filters[0].shape[0] if 0 in snaps.filters else 6
    n_rows = -(-C_1 // cfg.tile_cols)
    for panel, size in zip(data["panels"], (3, 8), strict=True):
        panel["rows"], panel["cols"] = tile_labels(n_rows, size), tile_labels(cfg.tile_cols, size)
    data["range"] = [-float(f"{m:.3g}"), float(f"{m:.3g}")]
    check_heatmap("lenet-digits", data)
    data.update({"digit": X_test[cfg.digit].view(8, 8).tolist(), "label": int(y_test[cfg.digit]),
                 "test_accuracy": round(test_acc, 4), "parameters": n_params,
                 "curves": {k: signif(v) for k, v in history.metrics.items()}})

    fig = plt.figure(figsize=(10, 3.6), layout="constrained")
    left, right = fig.subfigures(1, 2, width_ratios=[1, 1.7])
    ax = left.subplots()
    learning_curves(ax, history, metric="acc", color=class_color(0), label="LeNet")
    ax.axhline(test_acc, color=NEUTRAL, lw=1, ls=":", label=f"test accuracy {test_acc:.1%}")
    ax.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02))
    ax.set_title(f"LeNet, {n_params} parameters", fontsize=10)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    learning_curves_legend(ax, fontsize=8, loc="lower right")

    last = epochs[-1]
    w, z = snaps.filters[last], snaps.maps[last]  # (6, 3, 3), (6, 8, 8)
    axes = right.subplots(2, C_1 + 1)
    axes[1, 0].imshow(x[0, 0].numpy(), cmap="gray", vmin=0, vmax=1)
    axes[1, 0].set_title(f"x (a {int(y_test[cfg.digit])})", fontsize=9)
    mw, mz = float(w.abs().max()), float(z.abs().max())
    for k in range(C_1):
        im_w = axes[0, k + 1].imshow(w[k].numpy(), cmap="RdBu_r", vmin=-mw, vmax=mw)
        axes[0, k + 1].set_title(f"filter w{k + 1}", fontsize=9)
        im_z = axes[1, k + 1].imshow(z[k].numpy(), cmap="RdBu_r", vmin=-mz, vmax=mz)
        axes[1, k + 1].set_title(f"map z{k + 1}", fontsize=9)
    for a in axes.flat:
        a.set_xticks([])
        a.set_yticks([])
    axes[0, 0].set_axis_off()
    right.colorbar(im_w, ax=list(axes[0]), shrink=0.8, label="weight")
    right.colorbar(im_z, ax=list(axes[1]), shrink=0.8, label="z")
    right.suptitle(f"First layer after epoch {last}", fontsize=10)

    metrics = {"test_accuracy": test_acc, "val_accuracy": history.metrics["val_acc"][-1],
               "train_accuracy": history.metrics["acc"][-1], "parameters": float(n_params),
               "epochs": float(history.epochs_run)}
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    return FigureResult(fig, metrics=metrics, state_dict=state, data=data)


# --- 4. Translation: digits anywhere on a larger canvas, a CNN against an MLP ---------------------------

def paste(X: Tensor, canvas: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
    """8x8 digits (N, 8, 8) each pasted at a random place on a zero canvas: (N, 1, canvas, canvas), (N, 2).

    The top-left corner (r, c) is uniform over the (canvas − 7)² places where the digit fits.
    """
    N, h, w = X.shape
    corners = torch.randint(0, canvas - h + 1, (N, 2), generator=g)  # (N, 2): row r, column c
    rows = corners[:, :1] + torch.arange(h)  # (N, 8): r, r + 1, ..., r + 7
    cols = corners[:, 1:] + torch.arange(w)  # (N, 8)
    out = X.new_zeros(N, 1, canvas, canvas)
    # out[n, 0, r_n + i, c_n + j] = X[n, i, j], all n, i, j at once
    out[torch.arange(N)[:, None, None], 0, rows[:, :, None], cols[:, None, :]] = X
    return out, corners


def count(model: nn.Module) -> int:
    """Trainable numbers of ``model``."""
    return sum(p.numel() for p in model.parameters())


class Flat(nn.Module):
    """An MLP that reads images: (N, 1, H, W) -> (N, H·W) -> MLP."""

    def __init__(self, mlp: MLP) -> None:
        super().__init__()
        self.mlp = mlp

    def forward(self, X: Tensor) -> Tensor:
        return self.mlp(X.flatten(1))  # (N, H·W) -> (N, num_classes)


@dataclass(frozen=True)
class CanvasConfig:
    canvas: int = 16  # H = W of the canvas: an 8x8 digit fits at (16 − 7)² = 81 places
    n_train: int = 1000  # the first n of dlbook.splits' 1000 training digits
    placements: int = 5  # canvases made from each training digit, each at its own random place
    channels: tuple[int, ...] = (8, 16, 16)  # the CNN's conv blocks: maps of 16 -> 8 -> 4 -> 2 pixels
    num_epochs: int = 20  # the same for both models
    batch_size: int = 64
    lr: float = 0.01  # Adam, the same for both models
    samples: int = 8  # test canvases shown, with both models' answers


@register(
    "translation-canvas",
    smoke=CanvasConfig(n_train=256, placements=1, num_epochs=2, samples=4),
    full=CanvasConfig(),
    caption="Each 8x8 digit pasted at a random place on a 16x16 canvas of zeros (the training digits "
            "five times each, at fresh places; the test digits at places drawn independently). A small "
            "CNN (dlbook.lenet.LeNet with three conv blocks) and a one-hidden-layer MLP with about as "
            "many parameters, trained alike (Adam, same epochs and batches). Left: training (dashed) "
            "and validation (solid) accuracy. Right: test canvases and what each model answers.",
)
def translation_canvas(cfg: CanvasConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    (X_train, y_train), (X_val, y_val), (X_test, y_test) = digit_splits(ctx.seed)
    g = generator(ctx, 1)  # the places: training, then validation, then test
    X_train, y_train = X_train[:cfg.n_train].view(-1, 8, 8), y_train[:cfg.n_train]
    C_train, _ = paste(X_train.repeat(cfg.placements, 1, 1), cfg.canvas, g)  # (placements·n, 1, H, W)
    y_train = y_train.repeat(cfg.placements)  # (placements·n,)
    C_val, _ = paste(X_val.view(-1, 8, 8), cfg.canvas, g)
    C_test, corners = paste(X_test.view(-1, 8, 8), cfg.canvas, g)

    cnn = LeNet(LeNetConfig(image_size=cfg.canvas, channels=cfg.channels), generator=generator(ctx))
    # one hidden layer of h units: (canvas² + 1)·h + (h + 1)·10 parameters, h chosen to match the CNN's
    d_in = cfg.canvas ** 2
    hidden = max(1, round((count(cnn) - 10) / (d_in + 11)))
    mlp = Flat(MLP([d_in, hidden, 10], generator=generator(ctx)))
    models: dict[str, nn.Module] = {"CNN": cnn, "MLP": mlp}
    histories, test_acc, y_hat = {}, {}, {}
    for name, model in ctx.track(models.items(), "models"):
        histories[name] = train(model, (C_train, y_train), (C_val, y_val), ctx=ctx, num_epochs=cfg.num_epochs,
                                batch_size=cfg.batch_size, lr=cfg.lr)
        test_acc[name], y_hat[name] = test_accuracy(model, C_test, y_test)
    params = {name: count(model) for name, model in models.items()}

    fig = plt.figure(figsize=(10, 4), layout="constrained")
    left, right = fig.subfigures(1, 2, width_ratios=[1, 1.1])
    ax = left.subplots()
    colors = {"CNN": class_color(0), "MLP": class_color(1)}
    for name, h in histories.items():
        learning_curves(ax, h, metric="acc", color=colors[name],
                        label=f"{name}, {params[name]} parameters: test {test_acc[name]:.1%}")
    ax.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    learning_curves_legend(ax, fontsize=8, loc="lower right")
    cols = min(4, cfg.samples)
    axes = right.subplots(-(-cfg.samples // cols), cols, squeeze=False)
    for k, a in enumerate(axes.flat):
        a.set_xticks([])
        a.set_yticks([])
        if k >= cfg.samples:
            a.set_axis_off()
            continue
        a.imshow(C_test[k, 0].numpy(), cmap="gray", vmin=0, vmax=1)
        a.set_title(f"digit {int(y_test[k])}", fontsize=9)
        for n, (name, color) in enumerate(colors.items()):
            guess = int(y_hat[name][k])
            mark = "✓" if guess == int(y_test[k]) else "✗"
            a.text(0.5 + (n - 0.5) * 0.5, -0.04, f"{name} {guess} {mark}", transform=a.transAxes, ha="center",
                   va="top", fontsize=8, color=color)
    right.suptitle(f"Test canvases ({cfg.canvas}x{cfg.canvas})", fontsize=10)

    data = {"canvas": cfg.canvas, "placements": cfg.placements, "parameters": params, "hidden": hidden,
            "test_accuracy": {k: round(v, 4) for k, v in test_acc.items()},
            "curves": {name: {k: signif(v) for k, v in h.metrics.items()} for name, h in histories.items()},
            "samples": [{"label": int(y_test[k]), "corner": corners[k].tolist(),
                         **{name: int(y_hat[name][k]) for name in models}} for k in range(cfg.samples)]}
    metrics = {"cnn_test_accuracy": test_acc["CNN"], "mlp_test_accuracy": test_acc["MLP"],
               "cnn_parameters": float(params["CNN"]), "mlp_parameters": float(params["MLP"]),
               "cnn_train_accuracy": histories["CNN"].metrics["acc"][-1],
               "mlp_train_accuracy": histories["MLP"].metrics["acc"][-1]}
    return FigureResult(fig, metrics=metrics, data=data)

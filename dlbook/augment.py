"""Data augmentation for small images: shifts and rotations, drawn afresh for every batch.

Taught in docs/training/overfitting/ on the 8x8 digits. ``affine`` moves every image of
a batch by its own angle and shift with one ``F.grid_sample`` call (bilinear, zeros
brought in at the borders, which is the digits' background); ``random_shift_rotate``
draws those angles and whole-pixel shifts; ``RandomShiftRotate`` is the same as a layer
that works only in ``model.train()`` mode, the way dropout does, so that ``fit`` sees a
new version of every training image in every epoch and evaluation sees the real ones.
tests/library/test_augment.py checks shifts against shifted slices and 90° against ``torch.rot90``.
"""

from __future__ import annotations

import math
import numbers

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["RandomShiftRotate", "affine", "random_shift_rotate"]


def _check_images(owner: str, images: Tensor) -> None:
    if images.ndim != 3 or images.shape[1] != images.shape[2] or not images.is_floating_point():
        raise ValueError(f"{owner} expects square float images of shape (B, H, H), "
                         f"got {images.dtype} of shape {tuple(images.shape)}")


def affine(images: Tensor, *, degrees: Tensor, shift: Tensor) -> Tensor:
    """Rotate each image by ``degrees`` (counterclockwise as displayed), then shift it.

    Shapes: ``images`` (B, H, H), ``degrees`` (B,), ``shift`` (B, 2) as (right, down) in
    pixels. Pixel values are read bilinearly and the area that comes in from outside is 0,
    so whole-pixel shifts and quarter turns move pixels exactly.
    """
    _check_images("affine", images)
    B, H, _ = images.shape
    if degrees.shape != (B,) or shift.shape != (B, 2):
        raise ValueError(f"affine expects degrees of shape ({B},) and shift of shape ({B}, 2), "
                         f"got {tuple(degrees.shape)} and {tuple(shift.shape)}")
    a = degrees.to(images) * (math.pi / 180)
    cos, sin = a.cos(), a.sin()
    t = shift.to(images) * (2 / H)  # pixels -> grid_sample's [-1, 1] coordinates, (B, 2)
    # output point p reads input point R(−a)(p − t); in (x right, y down) coordinates
    # R(−a) = [[cos, −sin], [sin, cos]] turns the content counterclockwise on screen
    R_inv = torch.stack([torch.stack([cos, -sin], -1), torch.stack([sin, cos], -1)], 1)  # (B, 2, 2)
    theta = torch.cat([R_inv, -(R_inv @ t.unsqueeze(-1))], dim=2)  # (B, 2, 3)
    grid = F.affine_grid(theta, [B, 1, H, H], align_corners=False)  # (B, H, H, 2)
    out = F.grid_sample(images.unsqueeze(1), grid, mode="bilinear", padding_mode="zeros",
                        align_corners=False)  # (B, 1, H, H)
    return out.squeeze(1)


def random_shift_rotate(images: Tensor, *, max_shift: int = 1, max_degrees: float = 10.0,
                        generator: torch.Generator | None = None) -> Tensor:
    """Each image turned by an angle uniform in ±``max_degrees`` and shifted by a whole
    number of pixels in {−max_shift, ..., max_shift} along each axis. (B, H, H) -> (B, H, H)."""
    _check_images("random_shift_rotate", images)
    if not isinstance(max_shift, int) or isinstance(max_shift, bool) or max_shift < 0:
        raise ValueError(f"random_shift_rotate expects max_shift to be an int >= 0, got {max_shift!r}")
    if not (isinstance(max_degrees, numbers.Real) and 0 <= max_degrees <= 180):
        raise ValueError(f"random_shift_rotate expects 0 <= max_degrees <= 180, got {max_degrees!r}")
    B = images.shape[0]
    degrees = (2 * torch.rand(B, generator=generator) - 1) * max_degrees  # U(−d, d)
    shift = torch.randint(-max_shift, max_shift + 1, (B, 2), generator=generator)
    return affine(images, degrees=degrees.to(images.device), shift=shift.to(images.device))


class RandomShiftRotate(nn.Module):
    """``random_shift_rotate`` as a first layer: (B, H·H) flat images in, (B, H·H) out.

    Active only in training mode (the identity under ``model.eval()``), drawing from the
    global RNG, which ``fit`` seeds; put it in front of an MLP with ``nn.Sequential``.
    """

    def __init__(self, *, side: int = 8, max_shift: int = 1, max_degrees: float = 10.0) -> None:
        super().__init__()
        if not isinstance(side, int) or side < 1:
            raise ValueError(f"RandomShiftRotate expects a positive int side, got {side!r}")
        self.side, self.max_shift, self.max_degrees = side, max_shift, max_degrees

    def forward(self, X: Tensor) -> Tensor:
        if X.ndim != 2 or X.shape[1] != self.side**2:
            raise ValueError(f"RandomShiftRotate expects flat images of shape (B, {self.side**2}), "
                             f"got {tuple(X.shape)}")
        if not self.training:
            return X
        images = X.view(-1, self.side, self.side)  # (B, H, H)
        moved = random_shift_rotate(images, max_shift=self.max_shift, max_degrees=self.max_degrees)
        return moved.reshape(X.shape)  # (B, H·H)

    def extra_repr(self) -> str:
        return f"side={self.side}, max_shift={self.max_shift}, max_degrees={self.max_degrees}"

"""Derivatives by finite differences and the matrix product from its definition.

Taught in docs/foundations/mathematical-foundations/. These are teaching
implementations: they follow the formulas line by line and are checked against
PyTorch (``A @ B`` and ``torch.autograd``) in tests/library/test_calculus.py. Real code
should call ``A @ B`` and let autograd compute derivatives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import torch
from torch import Tensor

__all__ = ["matmul", "numerical_derivative", "numerical_gradient"]

T = TypeVar("T", float, Tensor)  # a plain number, or a tensor of points


def matmul(A: Tensor, B: Tensor) -> Tensor:
    """The matrix product ``C = A B`` computed entry by entry from its definition.

    Shapes: ``A`` is (n, k), ``B`` is (k, m), the result ``C`` is (n, m).
    Entry ``C[i, j]`` is the dot product of row ``i`` of ``A`` with column ``j``
    of ``B``. The dtype is the one ``A @ B`` would give (integer inputs stay integer).
    """
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError(
            "matmul expects A of shape (n, k) and B of shape (k, m), "
            f"got {tuple(A.shape)} and {tuple(B.shape)}"
        )
    n, m = A.shape[0], B.shape[1]
    C = torch.zeros(n, m, dtype=torch.result_type(A, B), device=A.device)  # (n, m)
    for i in range(n):
        for j in range(m):
            # C_ij = Σ_k A_ik B_kj: row i of A against column j of B
            C[i, j] = (A[i, :] * B[:, j]).sum()
    return C


def numerical_derivative(f: Callable[[T], T], x: T, *, h: float = 1e-5) -> T:
    """Estimate ``f'(x)`` with the central difference ``(f(x + h) - f(x - h)) / 2h``.

    ``f`` maps a number to a number: a Python ``float`` (e.g. ``math.sin``) or a
    tensor (e.g. ``torch.sin``). With a tensor ``x`` of any shape and an
    elementwise ``f``, the result has the shape of ``x`` and holds the derivative
    at every point at once. The error shrinks like ``h**2`` until rounding takes
    over, so use float64 tensors; ``x`` itself is never modified.
    """
    if not h > 0:
        raise ValueError(f"numerical_derivative expects a step h > 0, got {h!r}")
    # f'(x) ≈ (f(x + h) − f(x − h)) / 2h, error O(h²) for smooth f
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(f: Callable[[Tensor], Tensor], x: Tensor, *, h: float = 1e-5) -> Tensor:
    """Estimate the gradient ``∇f(x)`` of a scalar-valued ``f`` by central differences.

    Shapes: ``x`` is any shape, ``f(x)`` has a single element, the result has the
    shape and dtype of ``x``. Each entry of a copy of ``x`` is nudged by ``±h`` in
    turn, so ``f`` is called ``2 * x.numel()`` times; the caller's ``x`` is untouched.
    """
    if not h > 0:
        raise ValueError(f"numerical_gradient expects a step h > 0, got {h!r}")
    if not x.is_floating_point():
        raise ValueError(f"numerical_gradient expects a floating-point x, got {x.dtype}")
    x_work = x.detach().clone(memory_format=torch.contiguous_format)
    flat = x_work.view(-1)  # shares memory with x_work: writing flat[i] moves one entry
    grad = torch.zeros_like(flat)
    with torch.no_grad():
        for i in range(flat.numel()):
            x_i = flat[i].item()
            flat[i] = x_i + h
            f_plus = _scalar(f(x_work))
            flat[i] = x_i - h
            f_minus = _scalar(f(x_work))
            flat[i] = x_i  # restore before moving to the next entry
            # ∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h
            grad[i] = (f_plus - f_minus) / (2 * h)
    return grad.view(x.shape)


def _scalar(y: Tensor) -> float:
    if y.numel() != 1:
        raise ValueError(
            f"numerical_gradient expects f to return a single number, got shape {tuple(y.shape)}"
        )
    return float(y.item())

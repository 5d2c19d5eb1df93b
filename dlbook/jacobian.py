"""The Jacobian matrix by central differences, taught in docs/foundations/mathematical-foundations/.

For ``f : ℝⁿ → ℝᵐ`` the Jacobian ``J`` is the (m, n) matrix of all partial derivatives,
``J_ij = ∂f_i/∂x_j``; column ``j`` says how every output moves when input ``j`` is nudged,
which is how ``numerical_jacobian`` builds it. The chain rule for vectors multiplies
Jacobians, ``J_{f∘g}(x) = J_f(g(x)) J_g(x)``. Checked against
``torch.autograd.functional.jacobian`` in tests/library/test_jacobian.py.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

__all__ = ["numerical_jacobian"]


def numerical_jacobian(f: Callable[[Tensor], Tensor], x: Tensor, *, h: float = 1e-5) -> Tensor:
    """Estimate the Jacobian of ``f`` at ``x`` column by column with central differences.

    Shapes: ``x`` is any shape, ``f(x)`` any shape; the result has shape
    ``f(x).shape + x.shape``, the layout of ``torch.autograd.functional.jacobian``, so a
    vector ``x`` (n,) and vector output (m,) give the (m, n) matrix. ``f`` is called
    ``2 * x.numel()`` times; use float64, and ``x`` itself is never modified.
    """
    if not h > 0:
        raise ValueError(f"numerical_jacobian expects a step h > 0, got {h!r}")
    if not x.is_floating_point():
        raise ValueError(f"numerical_jacobian expects a floating-point x, got {x.dtype}")
    x_flat = x.detach().reshape(-1).clone()  # (n,)
    with torch.no_grad():
        out_shape = f(x_flat.view(x.shape)).shape
        columns = []
        for j in range(x_flat.numel()):
            step = torch.zeros_like(x_flat)
            step[j] = h  # h e_j
            # ∂f/∂x_j ≈ (f(x + h e_j) − f(x − h e_j)) / 2h: column j of J
            f_plus, f_minus = f((x_flat + step).view(x.shape)), f((x_flat - step).view(x.shape))
            columns.append(((f_plus - f_minus) / (2 * h)).reshape(-1))  # (m,)
    J = torch.stack(columns, dim=1)  # (m, n)
    return J.reshape(*out_shape, *x.shape)

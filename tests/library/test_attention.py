"""dlbook.attention against torch in float64: scaled dot-product attention, masks, multi-head attention.

``scaled_dot_product_attention`` is compared with ``F.scaled_dot_product_attention`` (outputs and
gradients; torch returns no weights, so the weights are checked against a softmax by hand)
and passes gradcheck; ``MultiHeadAttention`` with weights copied from
``nn.MultiheadAttention(batch_first=True)`` must give its outputs, averaged and per-head
weights and every gradient, on odd sizes (B = 3, T = 5 and 7, E = 12, H = 3 or 4) with and
without each kind of mask. Mind the conventions: our boolean masks and torch's SDPA say
True = may attend, ``nn.MultiheadAttention``'s boolean ``attn_mask`` says True = forbidden.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.attention.bias import causal_lower_right

from dlbook.attention import MultiHeadAttention, causal_mask, kernel_regression, scaled_dot_product_attention
from dlbook.regularization import dropout

pytestmark = pytest.mark.usefixtures("one_thread")  # tests/library/conftest.py

DTYPE = torch.float64
B, H, T_Q, T_K, D_K, D_V = 3, 4, 5, 7, 6, 5  # odd sizes: a transposed product cannot pass


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(*shape: int, seed: int, grad: bool = False) -> Tensor:
    return torch.randn(*shape, generator=gen(seed), dtype=DTYPE).requires_grad_(grad)


def qkv(T_q: int = T_Q, T_k: int = T_K) -> tuple[Tensor, Tensor, Tensor]:
    return (randn(B, H, T_q, D_K, seed=1, grad=True), randn(B, H, T_k, D_K, seed=2, grad=True),
            randn(B, H, T_k, D_V, seed=3, grad=True))


def key_padding(T_k: int = T_K) -> Tensor:
    """(B, T_k), True = padding: row 0 none, row 1 the last 3 keys, row 2 the first 2."""
    pad = torch.zeros(B, T_k, dtype=torch.bool)
    pad[1, -3:] = True
    pad[2, :2] = True
    return pad


def bool_mask(T_q: int = T_Q, T_k: int = T_K) -> Tensor:
    """A random (T_q, T_k) mask, True = may attend, with the diagonal kept so no row is empty."""
    keep = torch.rand(T_q, T_k, generator=gen(4)) < 0.6
    return keep | torch.eye(T_q, T_k, dtype=torch.bool)


def float_mask(T_q: int = T_Q, T_k: int = T_K) -> Tensor:
    """An additive mask: a random bias, and −∞ where ``bool_mask`` forbids."""
    bias = torch.randn(T_q, T_k, generator=gen(5), dtype=DTYPE)
    return bias.masked_fill(~bool_mask(T_q, T_k), -math.inf)


# name -> (our keyword arguments, torch's attn_mask (True or 0 = may attend) or None, T_q)
def cases() -> dict[str, tuple[dict[str, object], Tensor | None, int]]:
    pad = key_padding()
    return {
        "none": ({}, None, T_Q),
        "bool": ({"mask": bool_mask()}, bool_mask(), T_Q),
        "float": ({"mask": float_mask()}, float_mask(), T_Q),
        "causal_square": ({"causal": True}, torch.ones(T_K, T_K, dtype=torch.bool).tril(), T_K),
        "causal_lower_right": ({"causal": True}, causal_lower_right(T_Q, T_K)._materialize(), T_Q),
        "key_padding": ({"key_padding_mask": pad}, ~pad[:, None, None, :], T_Q),
        "all": ({"mask": bool_mask(T_K, T_K), "causal": True, "key_padding_mask": pad},
                bool_mask(T_K, T_K) & torch.ones(T_K, T_K, dtype=torch.bool).tril() & ~pad[:, None, None, :],
                T_K),
    }


def by_hand(q: Tensor, k: Tensor, allowed: Tensor | None, additive: Tensor | None = None) -> Tensor:
    """softmax of the scaled scores, computed with an einsum and −∞ outside ``allowed``."""
    scores = torch.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(q.shape[-1])
    if additive is not None:
        scores = scores + additive
    if allowed is not None:
        scores = scores.masked_fill(~allowed, -math.inf)
    return torch.softmax(scores, dim=-1)


# --- scaled_dot_product_attention -------------------------------------------------------------------


@pytest.mark.parametrize("case", list(cases()))
def test_sdpa_matches_torch_in_outputs_and_gradients(case: str) -> None:
    kwargs, theirs_mask, T_q = cases()[case]
    q, k, v = qkv(T_q)
    out, weights = scaled_dot_product_attention(q, k, v, **kwargs)  # type: ignore[arg-type]
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=theirs_mask)
    torch.testing.assert_close(out, expected)
    g = randn(*out.shape, seed=6)
    ours = torch.autograd.grad((out * g).sum(), (q, k, v))
    theirs = torch.autograd.grad((expected * g).sum(), (q, k, v))
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, b)
    # the weights: a softmax by hand, rows summing to 1 (0 where every key is masked), 0 where masked
    allowed = None if theirs_mask is None or theirs_mask.is_floating_point() else theirs_mask
    additive = theirs_mask if theirs_mask is not None and theirs_mask.is_floating_point() else None
    torch.testing.assert_close(weights, by_hand(q, k, allowed, additive).nan_to_num(0.0))
    alive = torch.ones(B, H, T_q, dtype=DTYPE)
    if theirs_mask is not None:
        forbidden = (~allowed if allowed is not None else theirs_mask.isneginf()).expand_as(weights)
        assert torch.all(weights.masked_select(forbidden) == 0)
        alive = (~forbidden).any(-1).to(DTYPE)  # the "all" case has queries that see no key
    torch.testing.assert_close(weights.sum(-1), alive)


def test_sdpa_with_torch_is_causal_on_square_scores() -> None:
    q, k, v = qkv(T_K)
    torch.testing.assert_close(scaled_dot_product_attention(q, k, v, causal=True)[0],
                               F.scaled_dot_product_attention(q, k, v, is_causal=True))


def test_causal_mask_is_lower_right_aligned() -> None:
    assert torch.equal(causal_mask(4), torch.ones(4, 4, dtype=torch.bool).tril())
    for T_q, T_k in ((1, 6), (3, 6), (5, 7), (4, 4)):
        assert torch.equal(causal_mask(T_q, T_k), causal_lower_right(T_q, T_k)._materialize())
    assert causal_mask(1, 6).all()  # one new query with a cache sees every key


def test_a_row_with_every_key_masked_gives_zeros_not_nan() -> None:
    q, k, v = qkv()
    mask = bool_mask()
    mask[2] = False  # query 2 may attend nothing
    pad = torch.ones(B, T_K, dtype=torch.bool)
    pad[0] = False  # batch rows 1 and 2 are all padding
    for kwargs, theirs in (({"mask": mask}, mask), ({"key_padding_mask": pad}, ~pad[:, None, None, :])):
        out, weights = scaled_dot_product_attention(q, k, v, **kwargs)  # type: ignore[arg-type]
        expected = F.scaled_dot_product_attention(q, k, v, attn_mask=theirs)  # torch: zeros as well
        torch.testing.assert_close(out, expected)
        dead = ~theirs.expand(B, H, T_Q, T_K).any(-1)  # (B, H, T_q)
        assert dead.any() and torch.all(weights[dead] == 0) and torch.all(out[dead] == 0)
        grads = torch.autograd.grad(out.sum(), (q, k, v))
        assert all(torch.isfinite(g).all() for g in grads)
    # −∞ everywhere in a float mask is the same
    out, weights = scaled_dot_product_attention(q, k, v, mask=torch.full((T_Q, T_K), -math.inf, dtype=DTYPE))
    assert torch.all(out == 0) and torch.all(weights == 0)


@pytest.mark.parametrize("case", ["none", "float", "all"])
def test_sdpa_passes_gradcheck(case: str) -> None:
    kwargs, _, T_q = cases()[case]
    q, k, v = (t.detach()[:, :2, :, :3].requires_grad_() for t in qkv(T_q))  # 2 heads, d_k = d_v = 3

    def f(q: Tensor, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        return scaled_dot_product_attention(q, k, v, **kwargs)  # type: ignore[arg-type]

    assert torch.autograd.gradcheck(f, (q, k, v))


def test_dropout_drops_the_weights_that_multiply_v_and_returns_them_undropped() -> None:
    q, k, v = qkv()
    plain, w = scaled_dot_product_attention(q, k, v)
    same, _ = scaled_dot_product_attention(q, k, v, dropout_p=0.4)  # training=False: no dropout
    torch.testing.assert_close(same, plain)
    out, weights = scaled_dot_product_attention(q, k, v, dropout_p=0.4, training=True, generator=gen(7))
    torch.testing.assert_close(weights, w)
    torch.testing.assert_close(out, dropout(w, 0.4, generator=gen(7)) @ v)
    again, _ = scaled_dot_product_attention(q, k, v, dropout_p=0.4, training=True, generator=gen(7))
    assert torch.equal(out, again) and not torch.allclose(out, plain)


def test_sdpa_rejects_bad_shapes_and_masks() -> None:
    q, k, v = qkv()
    with pytest.raises(ValueError, match=r"share d_k.*got q \(3, 4, 5, 6\), k \(3, 4, 7, 5\)"):
        scaled_dot_product_attention(q, k[..., :5], v)
    with pytest.raises(ValueError, match=r"share T_k"):
        scaled_dot_product_attention(q, k, v[:, :, :6])
    with pytest.raises(ValueError, match=r"same leading dims"):
        scaled_dot_product_attention(q, k[0], v[0])
    with pytest.raises(ValueError, match=r"mask broadcastable to the scores' shape \(\.\.\., T_q, T_k\) = "
                                         r"\(3, 4, 5, 7\), got \(7, 5\)"):
        scaled_dot_product_attention(q, k, v, mask=bool_mask().T)
    with pytest.raises(ValueError, match=r"bool mask \(True = may attend\) or a float mask"):
        scaled_dot_product_attention(q, k, v, mask=bool_mask().long())
    with pytest.raises(ValueError, match=r"key_padding_mask as a bool tensor of shape \(B, T_k\) = \(3, 7\)"):
        scaled_dot_product_attention(q, k, v, key_padding_mask=key_padding()[:, :5])
    with pytest.raises(ValueError, match=r"True = padding"):
        scaled_dot_product_attention(q, k, v, key_padding_mask=key_padding().double())


# --- kernel regression -----------------------------------------------------------------------------


def test_kernel_regression_is_the_nadaraya_watson_formula() -> None:
    x_keys = torch.linspace(0, 5, 11, dtype=DTYPE)
    y = torch.sin(x_keys) + 0.1 * randn(11, seed=8)
    x_query = torch.tensor([-1.0, 0.3, 2.5, 4.9], dtype=DTYPE)
    h = 0.7
    y_hat, weights = kernel_regression(x_query, x_keys, y, h)
    for i, x in enumerate(x_query.tolist()):  # ŷ(x) = Σ_j K((x − x_j)/h) y_j / Σ_j K((x − x_j)/h)
        kernel = [math.exp(-0.5 * ((x - xj) / h) ** 2) for xj in x_keys.tolist()]
        assert float(y_hat[i]) == pytest.approx(sum(kv * yj for kv, yj in zip(kernel, y.tolist(),
                                                                                  strict=True)) / sum(kernel))
        torch.testing.assert_close(weights[i], torch.tensor(kernel, dtype=DTYPE) / sum(kernel))
    # a narrow kernel is the nearest neighbour, a wide one the mean
    torch.testing.assert_close(kernel_regression(x_keys, x_keys, y, 1e-3)[0], y)
    torch.testing.assert_close(kernel_regression(x_query, x_keys, y, 1e4)[0], y.mean().expand(4))


def test_kernel_regression_is_dot_product_attention() -> None:
    """−(x − x_j)²/(2h²) = x x_j/h² − x²/(2h²) − x_j²/(2h²): the x² term cancels in the softmax,
    so q = x/h, k = x_j/h (d_k = 1) and an additive mask −x_j²/(2h²) give the same weights."""
    x_keys, y, x_query, h = randn(9, seed=9), randn(9, seed=10), randn(6, seed=11), 0.8
    y_hat, weights = kernel_regression(x_query, x_keys, y, h)
    out, w = scaled_dot_product_attention((x_query / h)[:, None], (x_keys / h)[:, None], y[:, None],
                                          mask=-(x_keys**2) / (2 * h**2))
    torch.testing.assert_close(w, weights)
    torch.testing.assert_close(out[:, 0], y_hat)


def test_kernel_regression_rejects_bad_input() -> None:
    x = torch.zeros(4)
    with pytest.raises(ValueError, match=r"bandwidth h > 0, got 0"):
        kernel_regression(x, x, x, 0)
    with pytest.raises(ValueError, match=r"y_values \(N,\), got \(4,\), \(4,\) and \(3,\)"):
        kernel_regression(x, x, x[:3], 1.0)


# --- MultiHeadAttention ----------------------------------------------------------------------------


E = 12


def twins(num_heads: int, *, bias: bool = True, fused_qkv: bool = False
          ) -> tuple[MultiHeadAttention, nn.MultiheadAttention]:
    with torch.random.fork_rng(devices=[]):  # torch's init draws from the global RNG: leave it as it was
        theirs = nn.MultiheadAttention(E, num_heads, bias=bias, batch_first=True, dtype=DTYPE)
    with torch.no_grad():  # torch zeroes in_proj_bias at init: give it values, so a swap shows
        for p in theirs.parameters():
            p.copy_(torch.randn(p.shape, generator=gen(p.numel()), dtype=DTYPE) * 0.3)
    ours = MultiHeadAttention(E, num_heads, bias=bias, fused_qkv=fused_qkv, generator=gen(1)).to(DTYPE)
    return ours.copy_from_torch(theirs), theirs


def param_grads_as_torch(ours: MultiHeadAttention) -> dict[str, Tensor]:
    """Our parameters' gradients under torch's names (in_proj_weight stacks W^Q, W^K, W^V)."""
    assert all(p.grad is not None for p in ours.parameters())
    parts = [ours.W_QKV] if ours.fused_qkv else [ours.W_Q, ours.W_K, ours.W_V]
    grads = {"in_proj_weight": torch.cat([W.weight.grad for W in parts]),
             "out_proj.weight": ours.W_O.weight.grad}
    if ours.bias:
        grads["in_proj_bias"] = torch.cat([W.bias.grad for W in parts])
        grads["out_proj.bias"] = ours.W_O.bias.grad
    return grads


# name -> (our keyword arguments, torch's keyword arguments, T_q)
def mha_cases() -> dict[str, tuple[dict[str, object], dict[str, object], int]]:
    pad = key_padding()
    right_pad = pad.clone()  # with causal, left padding leaves queries with no key: see the test below
    right_pad[2] = torch.arange(T_K) >= T_K - 2
    per_batch = torch.rand(B, T_Q, T_K, generator=gen(12)) < 0.6
    per_batch |= torch.eye(T_Q, T_K, dtype=torch.bool)
    return {
        "none": ({}, {}, T_Q),
        "key_padding": ({"key_padding_mask": pad}, {"key_padding_mask": pad}, T_Q),
        "bool_mask": ({"mask": bool_mask()}, {"attn_mask": ~bool_mask()}, T_Q),  # torch: True = forbidden
        "float_mask": ({"mask": float_mask()}, {"attn_mask": float_mask()}, T_Q),
        "per_batch_mask": ({"mask": per_batch}, {"attn_mask": ~per_batch.repeat_interleave(3, dim=0)}, T_Q),
        "causal": ({"causal": True}, {"attn_mask": ~causal_mask(T_K), "is_causal": True}, T_K),
        "causal_and_padding": ({"causal": True, "key_padding_mask": right_pad},
                               {"attn_mask": ~causal_mask(T_K), "key_padding_mask": right_pad}, T_K),
    }


@pytest.mark.parametrize("fused_qkv", [False, True])
@pytest.mark.parametrize("case", list(mha_cases()))
def test_mha_matches_torch(case: str, fused_qkv: bool) -> None:
    ours_kw, theirs_kw, T_q = mha_cases()[case]
    ours, theirs = twins(3, fused_qkv=fused_qkv)
    query = randn(B, T_q, E, seed=13, grad=True)
    key, value = randn(B, T_K, E, seed=14, grad=True), randn(B, T_K, E, seed=15, grad=True)
    if T_q == T_K:  # self-attention: one tensor (the fused path's single product)
        key = value = query
    out, avg = ours(query, key, value, **ours_kw)
    expected, expected_avg = theirs(query, key, value, **theirs_kw)
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(avg, expected_avg)
    _, per_head = ours(query, key, value, average_weights=False, **ours_kw)
    _, expected_per_head = theirs(query, key, value, average_attn_weights=False, **theirs_kw)
    torch.testing.assert_close(per_head, expected_per_head)
    assert per_head is not None and per_head.shape == (B, 3, T_q, T_K)
    g = randn(*out.shape, seed=16)
    inputs = tuple({id(t): t for t in (query, key, value)}.values())
    ours_grads = torch.autograd.grad((out * g).sum(), inputs, retain_graph=True)
    theirs_grads = torch.autograd.grad((expected * g).sum(), inputs, retain_graph=True)
    for a, b in zip(ours_grads, theirs_grads, strict=True):
        torch.testing.assert_close(a, b)
    (out * g).sum().backward()
    (expected * g).sum().backward()
    for name, grad in param_grads_as_torch(ours).items():
        torch.testing.assert_close(grad, theirs.get_parameter(name).grad, msg=name)


@pytest.mark.parametrize("fused_qkv", [False, True])
def test_mha_without_bias_and_four_heads_matches_torch(fused_qkv: bool) -> None:
    ours, theirs = twins(4, bias=False, fused_qkv=fused_qkv)
    assert ours.W_O.bias is None
    x = randn(B, T_Q, E, seed=17)
    out, w = ours(x, x, x, key_padding_mask=key_padding(T_Q))
    expected, expected_w = theirs(x, x, x, key_padding_mask=key_padding(T_Q))
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(w, expected_w)


def test_mha_need_weights_false_and_all_masked_rows() -> None:
    ours, _ = twins(3)
    x = randn(B, T_Q, E, seed=18)
    out, w = ours(x, x, x, need_weights=False)
    assert w is None and out.shape == (B, T_Q, E)
    pad = torch.zeros(B, T_Q, dtype=torch.bool)
    pad[1] = True  # sequence 1 is all padding: its heads output 0, so its output is W^O's bias
    out, w = ours(x, x, x, key_padding_mask=pad)
    assert w is not None and torch.all(w[1] == 0)
    torch.testing.assert_close(out[1], ours.W_O.bias.expand(T_Q, E))


def test_left_padding_with_causal_gives_bias_where_torch_mha_gives_nan() -> None:
    ours, theirs = twins(3)
    x = randn(B, T_K, E, seed=19)
    pad = key_padding()  # sequence 2 starts with 2 pads: its queries 0 and 1 see no key
    out, _ = ours(x, x, x, causal=True, key_padding_mask=pad)
    expected, _ = theirs(x, x, x, attn_mask=~causal_mask(T_K), key_padding_mask=pad)
    dead = torch.zeros(B, T_K, dtype=torch.bool)
    dead[2, :2] = True
    assert torch.isnan(expected[dead]).all() and not torch.isnan(expected[~dead]).any()
    torch.testing.assert_close(out[~dead], expected[~dead])
    torch.testing.assert_close(out[dead], ours.W_O.bias.expand(2, E))  # heads 0, then W^O: its bias


def test_mha_init_is_seeded_and_leaves_global_rng_alone() -> None:
    before = torch.get_rng_state()
    a = MultiHeadAttention(E, 3, generator=gen(2))
    b = MultiHeadAttention(E, 3, generator=gen(2))
    assert torch.equal(torch.get_rng_state(), before)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    bound = 1 / math.sqrt(E)  # nn.Linear's U(−1/√E, 1/√E)
    assert all(float(p.detach().abs().max()) <= bound for p in a.parameters())
    assert "d_k=4" in repr(a)


def test_mha_rejects_bad_configs_inputs_and_twins() -> None:
    with pytest.raises(ValueError, match="embed_dim divisible by num_heads, got embed_dim=12, num_heads=5"):
        MultiHeadAttention(12, 5)
    with pytest.raises(ValueError, match="num_heads to be a positive int"):
        MultiHeadAttention(12, 0)
    with pytest.raises(ValueError, match="0 <= dropout < 1"):
        MultiHeadAttention(12, 3, dropout=1.0)
    mha = MultiHeadAttention(12, 3, generator=gen(3))
    x = torch.zeros(3, 5, 12)
    with pytest.raises(ValueError, match=r"query of shape \(B, T, 12\) \(batch first, B = 3\), got "
                                         r"\(3, 5, 10\)"):
        mha(x[..., :10], x, x)
    with pytest.raises(ValueError, match=r"key of shape \(B, T, 12\).*got \(5, 12\)"):
        mha(x, x[0], x)
    with pytest.raises(ValueError, match=r"key and value of one length T_k"):
        mha(x, x, x[:, :4])
    with pytest.raises(ValueError, match=r"mask of shape \(T_q, T_k\), \(B, T_q, T_k\) or \(B, H, T_q, T_k\) "
                                         r"with B = 3, got \(2, 5, 5\)"):
        mha(x, x, x, mask=torch.ones(2, 5, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"\(embed_dim, num_heads, bias\) differ, MultiHeadAttention has "
                                         r"\(12, 3, True\), torch's \(12, 4, True\)"):
        mha.copy_from_torch(nn.MultiheadAttention(12, 4))
    with pytest.raises(ValueError, match="without kdim/vdim"):
        mha.copy_from_torch(nn.MultiheadAttention(12, 3, kdim=6))
    with pytest.raises(ValueError, match="expects a torch.nn.MultiheadAttention, got Linear"):
        mha.copy_from_torch(nn.Linear(12, 12))  # type: ignore[arg-type]

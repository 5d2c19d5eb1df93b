"""dlbook.transformer against torch in float64: the pre-norm block against
``nn.TransformerEncoderLayer(norm_first=True, activation="gelu", dropout=0, batch_first=True)`` and
the stack against ``nn.TransformerEncoder``, with weights copied: outputs and every gradient, with
and without masks, on odd sizes (B = 3, T = 5, d_model = 12, 3 heads, d_ff = 20)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlbook.attention import causal_mask
from dlbook.transformer import FeedForward, TransformerBlock, TransformerEncoder

pytestmark = pytest.mark.usefixtures("one_thread")  # tests/library/conftest.py

DTYPE = torch.float64
B, T, D, NH, D_FF = 3, 5, 12, 3, 20


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(*shape: int, seed: int, grad: bool = False) -> Tensor:
    return torch.randn(*shape, generator=gen(seed), dtype=DTYPE).requires_grad_(grad)


def torch_layer(bias: bool = True) -> nn.TransformerEncoderLayer:
    with torch.random.fork_rng(devices=[]):  # torch's init draws from the global RNG: leave it alone
        layer = nn.TransformerEncoderLayer(D, NH, dim_feedforward=D_FF, dropout=0.0, activation="gelu",
                                           norm_first=True, batch_first=True, bias=bias, dtype=DTYPE)
    with torch.no_grad():  # zero biases and unit norms at init would hide a swap: randomise all
        for p in layer.parameters():
            p.copy_(torch.randn(p.shape, generator=gen(p.numel() + p.ndim), dtype=DTYPE) * 0.3)
    return layer


def pad_mask() -> Tensor:
    pad = torch.zeros(B, T, dtype=torch.bool)
    pad[1, -2:] = True
    pad[2, -1] = True
    return pad


# name -> (our keyword arguments, torch's keyword arguments); torch's bool src_mask: True = forbidden
MASKS: dict[str, tuple[dict[str, object], dict[str, object]]] = {
    "none": ({}, {}),
    "key_padding": ({"key_padding_mask": pad_mask()}, {"src_key_padding_mask": pad_mask()}),
    "causal": ({"causal": True}, {"src_mask": ~causal_mask(T), "is_causal": True}),
    "bool_mask": ({"mask": causal_mask(T).flip(0)}, {"src_mask": ~causal_mask(T).flip(0)}),
}


def grads(out: Tensor, module: nn.Module, x: Tensor, g: Tensor) -> list[Tensor]:
    return list(torch.autograd.grad((out * g).sum(), [x, *module.parameters()]))


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("masks", list(MASKS))
def test_block_matches_torch_encoder_layer(masks: str, bias: bool) -> None:
    ours_kw, theirs_kw = MASKS[masks]
    theirs = torch_layer(bias)
    ours = TransformerBlock(D, NH, d_ff=D_FF, bias=bias, generator=gen(0)).to(DTYPE).copy_from_torch(theirs)
    x = randn(B, T, D, seed=1, grad=True)
    out, w = ours(x, **ours_kw)
    expected = theirs(x, **theirs_kw)
    assert w is None
    torch.testing.assert_close(out, expected)
    # same parameter order: ln_1, attn (W_Q, W_K, W_V, W^O), ln_2, mlp vs self_attn, linear1, linear2, norms
    ours_params = dict(ours.named_parameters())
    order = ["attn.W_Q", "attn.W_K", "attn.W_V"]
    g = randn(B, T, D, seed=2)
    ours_grads = dict(zip(["x", *ours_params], grads(out, ours, x, g), strict=True))
    theirs_grads = dict(zip(["x", *dict(theirs.named_parameters())], grads(expected, theirs, x, g),
                            strict=True))
    torch.testing.assert_close(ours_grads["x"], theirs_grads["x"])
    names = {"in_proj_weight": [f"{n}.weight" for n in order], "out_proj.weight": ["attn.W_O.weight"],
             "linear1.weight": ["mlp.W_1.weight"], "linear2.weight": ["mlp.W_2.weight"],
             "norm1.weight": ["ln_1.weight"], "norm2.weight": ["ln_2.weight"]}
    if bias:
        names |= {"in_proj_bias": [f"{n}.bias" for n in order], "out_proj.bias": ["attn.W_O.bias"],
                  "linear1.bias": ["mlp.W_1.bias"], "linear2.bias": ["mlp.W_2.bias"],
                  "norm1.bias": ["ln_1.bias"], "norm2.bias": ["ln_2.bias"]}
    assert len(ours_grads) == 1 + sum(len(v) for v in names.values())
    for theirs_name, ours_names in names.items():
        torch.testing.assert_close(torch.cat([ours_grads[n] for n in ours_names]),
                                   theirs_grads[theirs_name.replace("in_proj", "self_attn.in_proj")
                                                .replace("out_proj", "self_attn.out_proj")], msg=theirs_name)


def test_block_matches_torch_in_eval_without_gradients() -> None:
    """torch takes its fused "fast path" here; the numbers must not change."""
    theirs = torch_layer().eval()
    ours = TransformerBlock(D, NH, d_ff=D_FF, generator=gen(0)).to(DTYPE).copy_from_torch(theirs).eval()
    x = randn(B, T, D, seed=3)
    with torch.no_grad():
        torch.testing.assert_close(ours(x)[0], theirs(x))


def test_feed_forward_is_w2_gelu_w1() -> None:
    ff = FeedForward(D, generator=gen(4)).to(DTYPE)
    assert ff.W_1.weight.shape == (4 * D, D) and ff.W_2.weight.shape == (D, 4 * D)
    x = randn(2, T, D, seed=5)
    h = x @ ff.W_1.weight.T + ff.W_1.bias
    gelu = h * 0.5 * (1 + torch.erf(h / math.sqrt(2)))  # GELU(h) = h Φ(h)
    torch.testing.assert_close(ff(x), gelu @ ff.W_2.weight.T + ff.W_2.bias)


@pytest.mark.parametrize("final_norm", [True, False])
def test_encoder_matches_torch_and_returns_every_layers_weights(final_norm: bool) -> None:
    layer = torch_layer()
    with torch.random.fork_rng(devices=[]):
        theirs = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False,
                                       norm=nn.LayerNorm(D, dtype=DTYPE) if final_norm else None)
    with torch.no_grad():  # the two copies of layer: make them differ
        for p in theirs.layers[1].parameters():
            p.mul_(-0.7)
    ours = TransformerEncoder(D, NH, 2, d_ff=D_FF, final_norm=final_norm, generator=gen(6)).to(DTYPE)
    ours.copy_from_torch(theirs)
    x = randn(B, T, D, seed=7, grad=True)
    out, weights = ours(x, key_padding_mask=pad_mask(), return_attention=True)
    expected = theirs(x, src_key_padding_mask=pad_mask())
    torch.testing.assert_close(out, expected)
    g = randn(B, T, D, seed=8)
    torch.testing.assert_close(grads(out, ours, x, g)[0], grads(expected, theirs, x, g)[0])
    torch.testing.assert_close(ours(x, key_padding_mask=pad_mask()), out)  # without weights
    # weights (L, B, H, T, T): layer l's per-head weights of its own input
    assert weights.shape == (2, B, NH, T, T)
    h = x
    for block, w in zip(ours.layers, weights, strict=True):
        a = block.ln_1(h)
        _, expected_w = block.attn(a, a, a, key_padding_mask=pad_mask(), average_weights=False)
        torch.testing.assert_close(w, expected_w)
        h, _ = block(h, key_padding_mask=pad_mask())
    assert torch.all(weights[:, 1, :, :, -2:] == 0)  # sequence 1's 2 pads get no attention


def test_padding_does_not_leak_into_real_positions() -> None:
    enc = TransformerEncoder(D, NH, 2, generator=gen(9)).to(DTYPE)
    x = randn(B, T, D, seed=10)
    y = x.clone()
    y[1, -2:] = 100.0  # change sequence 1's padding
    torch.testing.assert_close(enc(x, key_padding_mask=pad_mask())[1, :-2],
                               enc(y, key_padding_mask=pad_mask())[1, :-2])


def test_copy_from_torch_rejects_other_layers() -> None:
    block = TransformerBlock(D, NH, d_ff=D_FF, generator=gen(11))
    with pytest.raises(ValueError, match=r"pre-norm layer with exact GELU \(norm_first=True"):
        block.copy_from_torch(nn.TransformerEncoderLayer(D, NH, D_FF, activation="gelu"))
    with pytest.raises(ValueError, match="norm_first=True"):
        block.copy_from_torch(nn.TransformerEncoderLayer(D, NH, D_FF, norm_first=True))  # relu
    with pytest.raises(ValueError, match=r"\(d_ff, d_model\) or layer_norm_eps differ"):
        block.copy_from_torch(nn.TransformerEncoderLayer(D, NH, 2 * D_FF, activation=F.gelu, norm_first=True))
    with pytest.raises(ValueError, match="expects a torch.nn.TransformerEncoderLayer, got Linear"):
        block.copy_from_torch(nn.Linear(2, 2))  # type: ignore[arg-type]
    enc = TransformerEncoder(D, NH, 2, d_ff=D_FF, generator=gen(12))
    layer = nn.TransformerEncoderLayer(D, NH, D_FF, activation="gelu", norm_first=True, batch_first=True)
    with pytest.raises(ValueError, match="ours has 2 layers and final_norm=True, torch's 3"):
        enc.copy_from_torch(nn.TransformerEncoder(layer, 3, norm=nn.LayerNorm(D), enable_nested_tensor=False))
    with pytest.raises(ValueError, match="num_layers to be a positive int"):
        TransformerEncoder(D, NH, 0)
    with pytest.raises(ValueError, match="d_ff to be a positive int, got 0"):
        FeedForward(D, 0)

"""dlbook.recurrent against torch: RNN (tanh, relu), LSTM and GRU cells and layers, float64.

Weights are copied from torch's modules with ``copy_from_torch``; then outputs, final
states and the gradients of the inputs, the initial state and every parameter must
match on odd sizes (input 3, hidden 5), for 1 and 3 layers, T = 1 and 7, batch 1 and 2.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import torch
from torch import Tensor, nn
from torch.func import functional_call

from dlbook.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell, copy_from_torch

DTYPE = torch.float64
IN, H = 3, 5  # odd sizes, so a transposed weight or a swapped gate block cannot pass

# kind -> (our layer, torch's layer, our cell, torch's cell, options)
KINDS: dict[str, tuple[type[Any], type[nn.Module], type[Any], type[nn.Module], dict[str, str]]] = {
    "rnn_tanh": (RNN, nn.RNN, RNNCell, nn.RNNCell, {"nonlinearity": "tanh"}),
    "rnn_relu": (RNN, nn.RNN, RNNCell, nn.RNNCell, {"nonlinearity": "relu"}),
    "lstm": (LSTM, nn.LSTM, LSTMCell, nn.LSTMCell, {}),
    "gru": (GRU, nn.GRU, GRUCell, nn.GRUCell, {}),
}


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(*shape: int, seed: int, grad: bool = False) -> Tensor:
    return torch.randn(*shape, generator=gen(seed), dtype=DTYPE).requires_grad_(grad)


def parts(state: Tensor | tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    """A state as a tuple of tensors: (h,) or (h, c)."""
    return (state,) if isinstance(state, Tensor) else tuple(state)


def torch_twin(kind: str, *, layer: bool, num_layers: int = 1, bias: bool = True, seed: int = 0
               ) -> nn.Module:
    """Torch's module, initialised from ``seed`` without touching the caller's global RNG."""
    _, torch_layer, _, torch_cell, options = KINDS[kind]
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        if layer:
            module = torch_layer(IN, H, num_layers, bias=bias, batch_first=True, **options)
        else:
            module = torch_cell(IN, H, bias=bias, **options)
    return module.to(DTYPE)


def pair(kind: str, *, layer: bool, num_layers: int = 1, bias: bool = True) -> tuple[Any, nn.Module]:
    ours_layer, _, ours_cell, _, options = KINDS[kind]
    theirs = torch_twin(kind, layer=layer, num_layers=num_layers, bias=bias)
    if layer:
        ours = ours_layer(IN, H, num_layers, bias=bias, generator=gen(99), **options).to(DTYPE)
    else:
        ours = ours_cell(IN, H, bias=bias, generator=gen(99), **options).to(DTYPE)
    return copy_from_torch(ours, theirs), theirs


def named_twins(ours: nn.Module, theirs: nn.Module, layer: bool) -> list[tuple[Tensor, Tensor]]:
    """Each of our parameters with torch's of the same role (``cells.l.weight_ih`` ~ ``weight_ih_ll``)."""
    out = []
    for name, p in ours.named_parameters():
        if layer:
            _, layer_index, base = name.split(".")
            name = f"{base}_l{layer_index}"
        out.append((p, getattr(theirs, name)))
    assert len(out) == len(list(theirs.parameters()))
    return out


def assert_same_values_and_gradients(outs: tuple[Tensor, ...], theirs_outs: tuple[Tensor, ...],
                                     inputs: list[Tensor], params: list[tuple[Tensor, Tensor]]) -> None:
    """Equal outputs; equal gradients of a weighted sum of every output w.r.t. inputs and parameters."""
    for a, b in zip(outs, theirs_outs, strict=True):
        torch.testing.assert_close(a, b)
    weights = [randn(*a.shape, seed=100 + i) for i, a in enumerate(outs)]  # every entry matters
    ours_loss = sum((w * a).sum() for w, a in zip(weights, outs, strict=True))
    theirs_loss = sum((w * b).sum() for w, b in zip(weights, theirs_outs, strict=True))
    ours_grads = torch.autograd.grad(ours_loss, inputs + [p for p, _ in params], retain_graph=True)
    theirs_grads = torch.autograd.grad(theirs_loss, inputs + [q for _, q in params])
    for g, g_ref in zip(ours_grads, theirs_grads, strict=True):
        torch.testing.assert_close(g, g_ref)
    assert all(g.abs().sum() > 0 for g in ours_grads[:1])  # the input's gradient is not trivially 0


# --- Layers against nn.RNN / nn.LSTM / nn.GRU --------------------------------


@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "given_state"])
@pytest.mark.parametrize("T", [1, 7])
@pytest.mark.parametrize("B", [1, 2])
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("kind", list(KINDS))
def test_layer_matches_torch(kind: str, num_layers: int, B: int, T: int, with_state: bool) -> None:
    ours, theirs = pair(kind, layer=True, num_layers=num_layers)
    x = randn(B, T, IN, seed=1, grad=True)
    inputs = [x]
    state: Tensor | tuple[Tensor, Tensor] | None = None
    if with_state:
        n_parts = 2 if kind == "lstm" else 1
        state_parts = [randn(num_layers, B, H, seed=2 + k, grad=True) for k in range(n_parts)]
        state = (state_parts[0], state_parts[1]) if kind == "lstm" else state_parts[0]
        inputs += state_parts
    out, s = ours(x, state)
    out_ref, s_ref = theirs(x, state)
    assert out.shape == (B, T, H) and all(p.shape == (num_layers, B, H) for p in parts(s))
    assert_same_values_and_gradients((out, *parts(s)), (out_ref, *parts(s_ref)), inputs,
                                     named_twins(ours, theirs, layer=True))


@pytest.mark.parametrize("kind", list(KINDS))
def test_layer_without_bias_matches_torch(kind: str) -> None:
    ours, theirs = pair(kind, layer=True, num_layers=2, bias=False)
    assert not any("bias" in name for name, _ in ours.named_parameters())
    x = randn(2, 4, IN, seed=3, grad=True)
    (out, s), (out_ref, s_ref) = ours(x), theirs(x)
    assert_same_values_and_gradients((out, *parts(s)), (out_ref, *parts(s_ref)), [x],
                                     named_twins(ours, theirs, layer=True))


@pytest.mark.parametrize("kind", list(KINDS))
def test_return_states_gives_the_top_layers_hidden_states_in_the_graph(kind: str) -> None:
    ours, _ = pair(kind, layer=True, num_layers=2)
    x = randn(2, 6, IN, seed=4)
    out, s, hs = ours(x, return_states=True)
    assert len(hs) == 6 and all(h.shape == (2, H) for h in hs)
    torch.testing.assert_close(torch.stack(hs, dim=1), out)
    torch.testing.assert_close(hs[-1], parts(s)[0][-1])  # h_T of the top layer
    out2, s2 = ours(x)
    torch.testing.assert_close(out2, out)
    # h_1 is an input of the graph of L = Σ output[:, -1]: its gradient flows through 5 steps
    (g,) = torch.autograd.grad(out[:, -1].sum(), hs[:1])
    assert g.abs().sum() > 0


# --- Cells against nn.RNNCell / nn.LSTMCell / nn.GRUCell ---------------------


@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "given_state"])
@pytest.mark.parametrize("B", [1, 2])
@pytest.mark.parametrize("kind", list(KINDS))
def test_cell_matches_torch(kind: str, B: int, with_state: bool) -> None:
    ours, theirs = pair(kind, layer=False)
    x = randn(B, IN, seed=5, grad=True)
    inputs = [x]
    state: Tensor | tuple[Tensor, Tensor] | None = None
    if with_state:
        state_parts = [randn(B, H, seed=6 + k, grad=True) for k in range(2 if kind == "lstm" else 1)]
        state = (state_parts[0], state_parts[1]) if kind == "lstm" else state_parts[0]
        inputs += state_parts
    out, out_ref = parts(ours(x, state)), parts(theirs(x, state))
    assert all(o.shape == (B, H) for o in out)
    assert_same_values_and_gradients(out, out_ref, inputs, named_twins(ours, theirs, layer=False))


@pytest.mark.parametrize("kind", list(KINDS))
def test_cell_gradcheck(kind: str) -> None:
    _, _, cell_type, _, options = KINDS[kind]
    cell = cell_type(2, 3, generator=gen(7), **options).to(DTYPE)
    names = [name for name, _ in cell.named_parameters()]
    x, h, c = randn(2, 2, seed=8, grad=True), randn(2, 3, seed=9, grad=True), randn(2, 3, seed=10, grad=True)
    if kind == "rnn_relu":  # keep pre-activations away from relu's kink at 0
        with torch.no_grad():
            cell.bias_ih.add_(2.0)

    def f(x: Tensor, h: Tensor, c: Tensor, *params: Tensor) -> tuple[Tensor, ...]:
        state = (h, c) if kind == "lstm" else h
        return parts(functional_call(cell, dict(zip(names, params, strict=True)), (x, state)))

    params = tuple(p.detach().clone().requires_grad_() for p in cell.parameters())
    assert torch.autograd.gradcheck(f, (x, h, c, *params))


def test_layer_gradcheck_through_time_and_layers() -> None:
    lstm = LSTM(2, 3, num_layers=2, generator=gen(11)).to(DTYPE)
    x = randn(2, 4, 2, seed=12, grad=True)
    h0, c0 = randn(2, 2, 3, seed=13, grad=True), randn(2, 2, 3, seed=14, grad=True)
    assert torch.autograd.gradcheck(lambda x, h, c: (lstm(x, (h, c))[0], *lstm(x, (h, c))[1]), (x, h0, c0))


# --- Initialisation and copying ----------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("layer", [True, False], ids=["layer", "cell"])
def test_initialisation_matches_torch_under_the_same_seed(kind: str, layer: bool) -> None:
    ours_layer, _, ours_cell, _, options = KINDS[kind]
    with torch.random.fork_rng():
        torch.manual_seed(21)
        ours = ours_layer(IN, H, 2, **options) if layer else ours_cell(IN, H, **options)
    theirs = torch_twin(kind, layer=layer, num_layers=2, seed=21).float()
    for p, q in named_twins(ours, theirs, layer):
        torch.testing.assert_close(p, q, rtol=0, atol=0)


def test_initialisation_bound_and_generator() -> None:
    gru = GRU(4, 16, num_layers=2, generator=gen(3))
    bound = 1 / 16**0.5
    values = torch.cat([p.flatten() for p in gru.parameters()])
    assert values.abs().max() <= bound and values.abs().max() > 0.95 * bound
    same, other = GRU(4, 16, num_layers=2, generator=gen(3)), GRU(4, 16, num_layers=2, generator=gen(4))
    assert all(torch.equal(p, q) for p, q in zip(gru.parameters(), same.parameters(), strict=True))
    assert not torch.equal(next(gru.parameters()), next(other.parameters()))
    cell0, cell1 = gru.cells
    assert cell0.weight_ih.shape == (48, 4) and cell1.weight_ih.shape == (48, 16)  # layer 1 reads h


def test_copy_from_torch_checks_its_twin() -> None:
    with pytest.raises(ValueError, match="expects a torch.nn.LSTM for a LSTM, got GRU"):
        copy_from_torch(LSTM(IN, H), nn.GRU(IN, H))
    with pytest.raises(ValueError, match="hidden_size differs, RNN has 5, torch's RNN 4"):
        copy_from_torch(RNN(IN, H), nn.RNN(IN, 4))
    with pytest.raises(ValueError, match="num_layers differs"):
        copy_from_torch(GRU(IN, H, 2), nn.GRU(IN, H, 3))
    with pytest.raises(ValueError, match="nonlinearity differs, RNNCell has 'tanh', torch's RNNCell 'relu'"):
        copy_from_torch(RNNCell(IN, H), nn.RNNCell(IN, H, nonlinearity="relu"))
    with pytest.raises(ValueError, match="bias differs"):
        copy_from_torch(GRUCell(IN, H), nn.GRUCell(IN, H, bias=False))
    with pytest.raises(ValueError, match="unidirectional"):
        copy_from_torch(LSTM(IN, H), nn.LSTM(IN, H, bidirectional=True))


# --- Clear errors --------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_layer_rejects_bad_shapes(kind: str) -> None:
    ours = KINDS[kind][0](IN, H, 2, **KINDS[kind][4])
    name = ours.__class__.__name__
    with pytest.raises(ValueError, match=re.escape(f"{name} expects x of shape (B, T, 3) (batch first), "
                                                   "got (7, 3)")):
        ours(torch.zeros(7, 3))  # 2-D: the batch dimension is missing
    with pytest.raises(ValueError, match=re.escape("x of shape (B, T, 3) (batch first), got (2, 7, 4)")):
        ours(torch.zeros(2, 7, 4))
    with pytest.raises(ValueError, match=re.escape("at least one step, got x of shape (2, 0, 3)")):
        ours(torch.zeros(2, 0, 3))
    good, bad = torch.zeros(2, 2, H), torch.zeros(2, H)  # (num_layers, B, H) and one without layers
    expected = re.escape("of shape (num_layers, B, H) = (2, 2, 5), got (2, 5)")
    if kind == "lstm":
        with pytest.raises(ValueError, match="expects state as a tuple \\(h, c\\).*got Tensor"):
            ours(torch.zeros(2, 7, 3), good)
        with pytest.raises(ValueError, match="LSTM expects h " + expected):
            ours(torch.zeros(2, 7, 3), (bad, good))
        with pytest.raises(ValueError, match="LSTM expects c " + expected):
            ours(torch.zeros(2, 7, 3), (good, bad))
    else:
        with pytest.raises(ValueError, match=f"{name} expects state " + expected):
            ours(torch.zeros(2, 7, 3), bad)


@pytest.mark.parametrize("kind", list(KINDS))
def test_cell_rejects_bad_shapes(kind: str) -> None:
    cell = KINDS[kind][2](IN, H, **KINDS[kind][4])
    name = cell.__class__.__name__
    with pytest.raises(ValueError, match=re.escape(f"{name} expects x of shape (B, 3), got (3,)")):
        cell(torch.zeros(3))
    with pytest.raises(ValueError, match=re.escape(f"{name} expects x of shape (B, 3), got (2, 4)")):
        cell(torch.zeros(2, 4))
    bad = torch.zeros(3, H)
    expected = re.escape("of shape (B, H) = (2, 5), got (3, 5)")
    if kind == "lstm":
        with pytest.raises(ValueError, match="LSTMCell expects c " + expected):
            cell(torch.zeros(2, 3), (torch.zeros(2, H), bad))
        with pytest.raises(ValueError, match="expects state as a tuple"):
            cell(torch.zeros(2, 3), torch.zeros(2, H))
    else:
        with pytest.raises(ValueError, match=f"{name} expects h " + expected):
            cell(torch.zeros(2, 3), bad)


def test_constructors_reject_bad_options() -> None:
    with pytest.raises(ValueError, match="nonlinearity 'tanh' or 'relu', got 'sigmoid'"):
        RNN(IN, H, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="GRU expects num_layers to be a positive int, got 0"):
        GRU(IN, H, 0)
    with pytest.raises(ValueError, match="LSTMCell expects hidden_size to be a positive int, got 0"):
        LSTMCell(IN, 0)

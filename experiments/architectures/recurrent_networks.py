"""Trained figures of docs/architectures/recurrent-networks: every network built from dlbook.recurrent.

- ``rnn-patterns``: four small GRU models, one per input/output pattern: one to many (a
  sine wave written from a single input vector), many to one (the next value of a sine
  window), aligned many to many (the running sum) and encoder-decoder (reversing a sequence).
- ``copy-delay``: a tanh RNN, an LSTM and a GRU on the copy task at growing delays.
- ``rnn-gradient-flow``: ‖∂L/∂h_t‖ over the time steps while the three train on the copy
  task at one long delay; its ``data.json`` is a ``"heatmap"`` explorable.
- ``char-lm``: a character-level GRU language model on CPython's help texts; its
  ``data.json`` is a ``"sampling"`` explorable and its checkpoint generates text on the page.

Every run draws its data and its initial weights from ``torch.Generator`` objects seeded
from ``ctx.seed``; the global RNG is never used.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor, nn

from dlbook.bptt import clip_grad_norm, hidden_grad_norms, truncated_bptt
from dlbook.charlm import CharLM, CharLMConfig, generate, nats_per_char, next_char_probs
from dlbook.figures.kinds import check_heatmap, heatmap_data, sampling_data
from dlbook.losses import cross_entropy, mse
from dlbook.mlp import Dense
from dlbook.optim import Adam
from dlbook.palette import NEUTRAL, class_color
from dlbook.recurrent import GRU, LSTM, RNN
from dlbook.sequences import OMEGA_RANGE, START, copy_task, reversal_task, running_sum, sine_sequences
from dlbook.text import Vocabulary, char_windows, python_docs_text, split_text
from dlbook_build.figures.registry import Context, FigureResult, register

LAYERS: dict[str, type[nn.Module]] = {"tanh RNN": RNN, "LSTM": LSTM, "GRU": GRU}  # name -> layer class


def generator(ctx: Context, offset: int = 0) -> torch.Generator:
    """A CPU generator seeded from the figure's seed (``offset`` separates independent streams)."""
    return torch.Generator().manual_seed(ctx.seed + offset)


def draw_seed(g: torch.Generator) -> int:
    """A fresh seed for a dlbook.sequences task, drawn from ``g``."""
    return int(torch.randint(0, 2**31 - 1, (), generator=g))


def signif(values: Sequence[float], digits: int = 4) -> list[float]:
    """Values to ``digits`` significant digits, to keep data.json small."""
    return [float(f"{v:.{digits}g}") for v in values]


def one_hot(ids: Tensor, n: int) -> Tensor:
    """Token ids (B, T) as one-hot vectors (B, T, n) float."""
    return torch.nn.functional.one_hot(ids, n).float()


def adam_step(model: nn.Module, opt: Adam, loss: Tensor, max_norm: float) -> None:
    """One update: backward, clip the joint gradient norm to ``max_norm``, Adam step."""
    opt.zero_grad()
    loss.backward()
    clip_grad_norm(model.parameters(), max_norm)
    opt.step()


# --- 1. Four input/output patterns ----------------------------------------------------------------

class SeqRegressor(nn.Module):
    """A GRU and a linear head read at every step (``every=True``) or at the last one only."""

    def __init__(self, n_in: int, hidden: int, *, every: bool, g: torch.Generator) -> None:
        super().__init__()
        self.rnn = GRU(n_in, hidden, generator=g)
        self.head = Dense(hidden, 1, generator=g)
        self.every = every

    def forward(self, x: Tensor) -> Tensor:
        out, _ = self.rnn(x)  # (B, T, H)
        if not self.every:
            return self.head(out[:, -1])  # (B, 1): ŷ = W h_T + b
        B, T, H = out.shape
        return self.head(out.reshape(B * T, H)).view(B, T, 1)  # (B, T, 1): ŷ_t = W h_t + b


class Seq2Seq(nn.Module):
    """Encoder GRU -> its final state h_T starts a decoder GRU that writes one symbol per step."""

    def __init__(self, num_symbols: int, hidden: int, *, g: torch.Generator) -> None:
        super().__init__()
        self.V = num_symbols + 1  # the symbols 1..K and START = 0
        self.encoder = GRU(self.V, hidden, generator=g)
        self.decoder = GRU(self.V, hidden, generator=g)
        self.head = Dense(hidden, self.V, generator=g)

    def forward(self, src: Tensor, dec_in: Tensor) -> Tensor:
        """Teacher forcing: ``dec_in`` (B, T) is START then the target shifted; logits (B, T, V)."""
        _, h = self.encoder(one_hot(src, self.V))  # h (1, B, H): the whole source in one vector
        out, _ = self.decoder(one_hot(dec_in, self.V), h)  # (B, T, H)
        B, T, H = out.shape
        return self.head(out.reshape(B * T, H)).view(B, T, self.V)

    @torch.no_grad()
    def greedy(self, src: Tensor, length: int) -> Tensor:
        """Decode ``length`` symbols, each step reading the symbol chosen at the step before: (B, length)."""
        _, h = self.encoder(one_hot(src, self.V))
        token = torch.full((src.shape[0], 1), START, dtype=torch.long, device=src.device)  # (B, 1)
        outputs = []
        for _ in range(length):
            out, h = self.decoder(one_hot(token, self.V), h)  # (B, 1, H)
            token = self.head(out[:, 0]).argmax(dim=-1, keepdim=True)  # (B, 1): the likeliest symbol
            outputs.append(token)
        return torch.cat(outputs, dim=1)


@dataclass(frozen=True)
class PatternsConfig:
    hidden: int = 32  # GRU units of the three regression models
    seq_hidden: int = 64  # GRU units of the encoder and of the decoder
    wave_steps: int = 40  # one to many: steps of the sine wave written from one input vector
    window: int = 20  # many to one: steps of the sine window read before predicting the next value
    noise: float = 0.05  # many to one: Gaussian noise on the window's values
    sum_length: int = 20  # many to many: steps of the running sum
    rev_length: int = 6  # encoder-decoder: symbols to reverse
    num_symbols: int = 8  # encoder-decoder: K distinct symbols
    steps: int = 600  # Adam steps of each model, a fresh batch each step
    batch_size: int = 64
    lr: float = 0.01
    max_norm: float = 1.0  # gradient clipping
    n_test: int = 500  # held-out sequences each model is scored on


def wave_inputs(n: int, steps: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
    """One to many: input (ω̃, sin φ, cos φ) at t = 0 and zeros after, target sin(ω t + φ).

    ω is drawn from dlbook.sequences.OMEGA_RANGE and given rescaled to ω̃ in [−1, 1]; returns
    ``X`` (n, steps, 3) and ``Y`` (n, steps, 1).
    """
    lo, hi = OMEGA_RANGE
    omega = lo + (hi - lo) * torch.rand(n, 1, generator=g)  # (n, 1)
    phi = 2 * math.pi * torch.rand(n, 1, generator=g)  # (n, 1)
    X = torch.zeros(n, steps, 3)
    X[:, 0] = torch.cat([2 * (omega - lo) / (hi - lo) - 1, phi.sin(), phi.cos()], dim=1)
    t = torch.arange(steps, dtype=torch.float32)  # (steps,)
    Y = torch.sin(omega * t + phi).unsqueeze(-1)  # (n, steps, 1): y_t = sin(ω t + φ)
    return X, Y


def fit_regressor(model: nn.Module, draw: Any, cfg: PatternsConfig, ctx: Context, desc: str) -> None:
    """Adam on the mean squared error, a fresh batch ``draw(batch_size)`` each step."""
    opt = Adam(model.parameters(), lr=cfg.lr)
    for _ in ctx.track(range(cfg.steps), desc):
        X, Y = draw(cfg.batch_size)
        adam_step(model, opt, mse(model(X.to(ctx.device)), Y.to(ctx.device)), cfg.max_norm)


@register(
    "rnn-patterns",
    smoke=PatternsConfig(hidden=8, seq_hidden=16, wave_steps=12, window=8, sum_length=8, rev_length=4,
                         num_symbols=4, steps=5, batch_size=16, n_test=32),
    full=PatternsConfig(),
    caption="Four small GRU networks, one per input/output pattern, each on a held-out example: "
            "one to many (a sine wave written from a single input vector (ω, sin φ, cos φ)), many to "
            "one (the value after a noisy sine window), aligned many to many (the running sum of the "
            "inputs) and encoder-decoder (writing a sequence of symbols backwards, decoded greedily). "
            "Panel titles give the error or accuracy over held-out sequences.",
)
def rnn_patterns(cfg: PatternsConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    dev = ctx.device
    g_init, g_data = generator(ctx, 0), generator(ctx, 1)
    target_kw = dict(color=class_color(0), lw=2.2, label="target")
    pred_kw = dict(color=class_color(1), lw=1.6, ls="--", label="prediction")
    fig, axes = plt.subplots(2, 2, figsize=(10, 5.6), layout="constrained")
    metrics: dict[str, float] = {}

    # 1. one to many: one input vector, a whole wave out
    wave = SeqRegressor(3, cfg.hidden, every=True, g=g_init).to(dev)
    fit_regressor(wave, lambda n: wave_inputs(n, cfg.wave_steps, g_data), cfg, ctx, "one to many")
    X, Y = wave_inputs(cfg.n_test, cfg.wave_steps, generator(ctx, 101))
    with torch.no_grad():
        Y_hat = wave(X.to(dev)).cpu()
    metrics["one_to_many_mse"] = float(mse(Y_hat, Y))
    ax = axes[0, 0]
    ax.axvline(0, color=NEUTRAL, lw=3, alpha=0.6, label="input (ω, sin φ, cos φ) at t = 0")
    ax.plot(Y[0, :, 0].tolist(), **target_kw)
    ax.plot(Y_hat[0, :, 0].tolist(), **pred_kw)
    ax.set(title=f"One to many: held-out MSE {metrics['one_to_many_mse']:.4f}", xlabel="step t",
           ylabel=r"$\sin(\omega t + \varphi)$", ylim=(-1.15, 1.6))
    ax.legend(frameon=False, fontsize=8, loc="upper center", ncol=3)

    # 2. many to one: a window in, one number out
    last = SeqRegressor(1, cfg.hidden, every=False, g=g_init).to(dev)

    def window(n: int) -> tuple[Tensor, Tensor]:
        X, Y = sine_sequences(n, cfg.window, noise=cfg.noise, seed=draw_seed(g_data))
        return X, Y[:, -1]  # (n, T, 1), (n, 1): the value after the window

    fit_regressor(last, window, cfg, ctx, "many to one")
    X, Y = sine_sequences(cfg.n_test, cfg.window, noise=cfg.noise, seed=ctx.seed + 102)
    with torch.no_grad():
        y_hat = last(X.to(dev)).cpu()  # (n, 1)
    metrics["many_to_one_mse"] = float(mse(y_hat, Y[:, -1]))
    ax = axes[0, 1]
    ax.plot(range(cfg.window), X[0, :, 0].tolist(), "o-", color=NEUTRAL, ms=3, lw=1, label="input window")
    ax.plot([cfg.window], [float(Y[0, -1, 0])], "o", color=class_color(0), ms=9, label="target")
    ax.plot([cfg.window], [float(y_hat[0, 0])], "X", color=class_color(1), ms=9, label="prediction")
    ax.set(title=f"Many to one: held-out MSE {metrics['many_to_one_mse']:.4f}", xlabel="step t",
           ylabel="$x_t$", ylim=(-1.25, 1.7))
    ax.legend(frameon=False, fontsize=8, loc="upper center", ncol=3)

    # 3. aligned many to many: one output per input
    summer = SeqRegressor(1, cfg.hidden, every=True, g=g_init).to(dev)
    fit_regressor(summer, lambda n: running_sum(n, cfg.sum_length, seed=draw_seed(g_data)), cfg, ctx,
                  "many to many")
    X, Y = running_sum(cfg.n_test, cfg.sum_length, seed=ctx.seed + 103)
    with torch.no_grad():
        Y_hat = summer(X.to(dev)).cpu()
    metrics["many_to_many_mse"] = float(mse(Y_hat, Y))
    ax = axes[1, 0]
    ax.bar(range(cfg.sum_length), X[0, :, 0].tolist(), color=NEUTRAL, alpha=0.5, label="input $x_t$")
    ax.plot(Y[0, :, 0].tolist(), **target_kw)
    ax.plot(Y_hat[0, :, 0].tolist(), **pred_kw)
    ax.axhline(0, color=NEUTRAL, lw=0.6)
    ax.set(title=f"Many to many: held-out MSE {metrics['many_to_many_mse']:.4f}", xlabel="step t",
           ylabel=r"$y_t = x_1 + \dots + x_t$")
    ax.margins(y=0.25)
    ax.legend(frameon=False, fontsize=8, loc="upper left", ncol=3)

    # 4. encoder-decoder: reverse a sequence of symbols
    seq = Seq2Seq(cfg.num_symbols, cfg.seq_hidden, g=g_init).to(dev)
    opt = Adam(seq.parameters(), lr=cfg.lr)
    V = seq.V
    for _ in ctx.track(range(cfg.steps), "encoder-decoder"):
        src, tgt = reversal_task(cfg.batch_size, cfg.rev_length, cfg.num_symbols, seed=draw_seed(g_data))
        src, tgt = src.to(dev), tgt.to(dev)
        dec_in = torch.cat([torch.full_like(tgt[:, :1], START), tgt[:, :-1]], dim=1)  # teacher forcing
        logits = seq(src, dec_in)  # (B, T, V)
        adam_step(seq, opt, cross_entropy(logits.reshape(-1, V), tgt.reshape(-1)), cfg.max_norm)
    src, tgt = reversal_task(cfg.n_test, cfg.rev_length, cfg.num_symbols, seed=ctx.seed + 104)
    pred = seq.greedy(src.to(dev), cfg.rev_length).cpu()  # (n, T)
    metrics["reversal_symbol_accuracy"] = float((pred == tgt).float().mean())
    metrics["reversal_sequence_accuracy"] = float((pred == tgt).all(dim=1).float().mean())
    ax = axes[1, 1]
    steps = range(1, cfg.rev_length + 1)
    ax.plot(steps, tgt[0].tolist(), "s", color=class_color(0), ms=13, mfc="none", mew=2, label="target")
    ax.plot(steps, pred[0].tolist(), "o", color=class_color(1), ms=6, label="greedy output")
    source = " ".join(str(int(s)) for s in src[0])
    ax.set(title=f"Encoder-decoder: held-out accuracy {metrics['reversal_symbol_accuracy']:.1%}",
           xlabel=f"output step (source: {source})", ylabel="symbol", xticks=list(steps),
           yticks=list(range(1, cfg.num_symbols + 1)), ylim=(0.3, cfg.num_symbols + 1.9))
    ax.legend(frameon=False, fontsize=8, loc="upper center", ncol=2)
    for ax in axes.flat:
        ax.title.set_fontsize(10)
        ax.grid(True, alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return FigureResult(fig, metrics=metrics, data={k: float(f"{v:.4g}") for k, v in metrics.items()})


# --- 2. The copy task: remembering over a delay ----------------------------------------------------

class CopyModel(nn.Module):
    """One-hot tokens -> a recurrent layer (tanh RNN, LSTM or GRU) -> scores of BLANK and the K symbols."""

    def __init__(self, layer: str, num_symbols: int, hidden: int, *, forget_bias: float,
                 g: torch.Generator) -> None:
        super().__init__()
        self.n_in = num_symbols + 2  # BLANK, the symbols 1..K and the cue
        self.rnn = LAYERS[layer](self.n_in, hidden, generator=g)
        if isinstance(self.rnn, LSTM):  # f_t = σ(... + b_f) starts near σ(1) ≈ 0.73: remember by default
            with torch.no_grad():
                self.rnn.cells[0].bias_ih[hidden:2 * hidden] += forget_bias  # rows i, f, g, o
        self.head = Dense(hidden, num_symbols + 1, generator=g)

    def scores(self, out: Tensor) -> Tensor:
        """Hidden states (B, T, H) -> logits (B, T, K + 1)."""
        B, T, H = out.shape
        return self.head(out.reshape(B * T, H)).view(B, T, -1)

    def forward(self, X: Tensor) -> Tensor:
        out, _ = self.rnn(one_hot(X, self.n_in))  # (B, T, H)
        return self.scores(out)


def copy_loss(logits: Tensor, Y: Tensor, length: int) -> Tensor:
    """Cross-entropy on the copy part only: the last ``length`` steps, where the symbols come back."""
    copied = logits[:, -length:]  # (B, L, K + 1)
    return cross_entropy(copied.reshape(-1, copied.shape[-1]), Y[:, -length:].reshape(-1))


def copy_accuracy(model: CopyModel, X: Tensor, Y: Tensor, length: int) -> float:
    """Fraction of the copied symbols written back correctly (chance: 1/K)."""
    with torch.no_grad():
        y_hat = model(X)[:, -length:].argmax(dim=-1)  # (n, L)
    return float((y_hat == Y[:, -length:]).float().mean())


@dataclass(frozen=True)
class CopyConfig:
    length: int = 2  # L symbols to remember
    num_symbols: int = 6  # K symbols; guessing scores 1/K
    delays: tuple[int, ...] = (0, 5, 10, 20, 40)  # blank steps between the symbols and the cue
    hidden: int = 32  # units of every model
    forget_bias: float = 1.0  # added to the LSTM's forget-gate bias at initialisation (Gers et al. 2000)
    steps: int = 3000  # Adam steps per run, a fresh batch each step
    batch_size: int = 64
    lr: float = 0.01
    max_norm: float = 1.0  # gradient clipping
    log_every: int = 100  # steps between the training losses kept in data.json
    n_test: int = 1000  # fresh sequences each run is scored on


def train_copy(layer: str, delay: int, cfg: CopyConfig, ctx: Context, *,
               probe: tuple[Tensor, Tensor] | None = None, probe_every: int = 0
               ) -> tuple[CopyModel, list[float], list[tuple[int, Tensor]]]:
    """Train one model on the copy task at ``delay``; returns it, its logged losses and the probes.

    With ``probe`` (a fixed batch X, Y), ‖∂L/∂h_t‖ on it is recorded before the first step
    and every ``probe_every`` steps after (dlbook.bptt.hidden_grad_norms), L the copy loss.
    """
    g_init, g_data = generator(ctx, 0), generator(ctx, 1)  # every model starts from the same draws
    model = CopyModel(layer, cfg.num_symbols, cfg.hidden, forget_bias=cfg.forget_bias, g=g_init)
    model = model.to(ctx.device)
    opt = Adam(model.parameters(), lr=cfg.lr)
    losses: list[float] = []
    probes: list[tuple[int, Tensor]] = []
    L = cfg.length

    def record(step: int) -> None:
        X, Y = probe  # type: ignore[misc]
        norms = hidden_grad_norms(model.rnn, one_hot(X, model.n_in),
                                  lambda out, _state: copy_loss(model.scores(out), Y, L))
        probes.append((step, norms.detach().cpu()))

    for step in ctx.track(range(cfg.steps), f"{layer}, delay {delay}"):
        if probe is not None and step % probe_every == 0:
            record(step)
        X, Y = copy_task(cfg.batch_size, L, delay, cfg.num_symbols, seed=draw_seed(g_data))
        loss = copy_loss(model(X.to(ctx.device)), Y.to(ctx.device), L)
        adam_step(model, opt, loss, cfg.max_norm)
        if (step + 1) % cfg.log_every == 0:
            losses.append(loss.item())
    if probe is not None:
        record(cfg.steps)
    return model, losses, probes


@register(
    "copy-delay",
    smoke=CopyConfig(delays=(0, 4), hidden=8, steps=6, batch_size=16, log_every=2, n_test=64),
    full=CopyConfig(),
    caption="The copy task: read 2 of 6 symbols, wait through a delay of blank steps, then write the "
            "symbols back on a cue. A tanh RNN, an LSTM and a GRU of 32 units each, trained for the same "
            "number of Adam steps at each delay, scored on 1000 fresh sequences; the dashed line is "
            "chance, 1/6.",
)
def copy_delay(cfg: CopyConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    L, K = cfg.length, cfg.num_symbols
    accuracy: dict[str, list[float]] = {name: [] for name in LAYERS}
    runs: list[dict[str, Any]] = []
    for delay in cfg.delays:
        X_test, Y_test = copy_task(cfg.n_test, L, delay, K, seed=ctx.seed + 1000 + delay)
        for name in LAYERS:
            start = time.perf_counter()
            model, losses, _ = train_copy(name, delay, cfg, ctx)
            acc = copy_accuracy(model, X_test.to(ctx.device), Y_test.to(ctx.device), L)
            accuracy[name].append(acc)
            runs.append({"model": name, "delay": delay, "accuracy": round(acc, 4), "loss": signif(losses),
                         "seconds": round(time.perf_counter() - start, 2)})

    fig, ax = plt.subplots(figsize=(7.6, 3.6), layout="constrained")
    styles = (("o", "-", 8), ("s", "-", 6), ("^", "--", 5))  # marker, line, size: overlaps stay visible
    for i, (name, (marker, line, size)) in enumerate(zip(LAYERS, styles, strict=True)):
        ax.plot(cfg.delays, accuracy[name], marker=marker, ls=line, ms=size, color=class_color(i), lw=2,
                label=name)
    ax.axhline(1 / K, color=NEUTRAL, ls="--", lw=1.5, label=f"chance, 1/{K}")
    ax.set(xlabel="delay (blank steps between the symbols and the cue)",
           ylabel="accuracy on the copied symbols", ylim=(0, 1.05), xticks=list(cfg.delays),
           title=f"Copy {L} of {K} symbols after a delay ({cfg.steps} training steps each)")
    ax.title.set_fontsize(10)
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=9, loc="center left", bbox_to_anchor=(1.01, 0.5))
    data = {"delays": list(cfg.delays), "models": list(LAYERS), "chance": 1 / K, "length": L,
            "num_symbols": K, "log_every": cfg.log_every,
            "accuracy": {name: signif(accs) for name, accs in accuracy.items()}, "runs": runs}
    metrics = {f"accuracy {name} delay {d}": a for name, accs in accuracy.items()
               for d, a in zip(cfg.delays, accs, strict=True)}
    return FigureResult(fig, metrics=metrics, data=data)


# --- 3. How much gradient reaches each step, during training --------------------------------------

@dataclass(frozen=True)
class GradientFlowConfig:
    copy: CopyConfig = CopyConfig()  # the task and the training of each model; only ``delays[0]`` is used
    probe_size: int = 128  # sequences of the fixed batch the gradient norms are measured on
    frames: int = 25  # recorded training steps: before training, then evenly spaced to the end


@register(
    "rnn-gradient-flow",
    smoke=GradientFlowConfig(copy=CopyConfig(delays=(6,), hidden=8, steps=6, batch_size=16, n_test=64),
                             probe_size=16, frames=4),
    full=GradientFlowConfig(copy=CopyConfig(delays=(40,))),
    caption="How much gradient reaches each step. ‖∂L/∂h_t‖, the norm of the gradient of the copy loss "
            "with respect to the hidden state at step t, on one fixed batch, while a tanh RNN, an LSTM and "
            "a GRU learn the copy task with a long delay (rows: training steps, log colour scale). The "
            "symbols to remember come before the first dashed line, the loss is on the steps after the "
            "second.",
)
def rnn_gradient_flow(cfg: GradientFlowConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    task = cfg.copy
    delay, L = task.delays[0], task.length
    probe = copy_task(cfg.probe_size, L, delay, task.num_symbols, seed=ctx.seed + 2000)
    probe = (probe[0].to(ctx.device), probe[1].to(ctx.device))
    every = max(1, math.ceil(task.steps / (cfg.frames - 1)))
    norms: dict[str, Tensor] = {}  # model -> (frames, T)
    accuracy: dict[str, float] = {}
    frames: list[int] = []
    X_test, Y_test = copy_task(task.n_test, L, delay, task.num_symbols, seed=ctx.seed + 1000 + delay)
    for name in LAYERS:
        model, _, probes = train_copy(name, delay, task, ctx, probe=probe, probe_every=every)
        frames = [step for step, _ in probes]
        norms[name] = torch.stack([n for _, n in probes]).double()  # (F, T)
        accuracy[name] = copy_accuracy(model, X_test.to(ctx.device), Y_test.to(ctx.device), L)
    T = 2 * L + delay + 1
    positive = torch.cat([n[n > 0] for n in norms.values()])
    lo, hi = float(positive.min()), float(positive.max())

    fig, axes = plt.subplots(1, 3, figsize=(10, 3.6), sharey=True, layout="constrained")
    norm = LogNorm(vmin=lo, vmax=hi)
    for ax, (name, n) in zip(axes, norms.items(), strict=True):
        image = ax.imshow(n.clamp(min=lo).numpy(), aspect="auto", origin="lower", cmap="viridis", norm=norm,
                          interpolation="nearest", extent=(0.5, T + 0.5, -0.5, len(frames) - 0.5))
        ax.set(title=f"{name}: copy accuracy {accuracy[name]:.0%}", xlabel="time step t")
        ax.title.set_fontsize(10)
        for edge in (L + 0.5, T - L + 0.5):  # the symbols end, the copy part begins
            ax.axvline(edge, color="white", ls="--", lw=1)
    ticks = list(range(0, len(frames), max(1, len(frames) // 5)))
    axes[0].set_yticks(ticks, [str(frames[i]) for i in ticks])
    axes[0].set_ylabel("training step")
    fig.colorbar(image, ax=list(axes), label=r"$\|\partial L / \partial h_t\|$ (log scale)", shrink=0.9)

    values = [[[[v if v > 0 else None for v in norms[name][f].tolist()] for name in LAYERS]]
              for f in range(len(frames))]
    data = heatmap_data(frames, ["‖∂L/∂h_t‖ on a fixed batch"], values, frame_label="training step",
                        x_label="time step t", y_label="model", value_label="‖∂L/∂h_t‖", scale="log",
                        rows=list(LAYERS), cols=list(range(1, T + 1)), digits=3)
    check_heatmap("rnn-gradient-flow", data)
    data.update({"delay": delay, "length": L, "num_symbols": task.num_symbols,
                 "accuracy": {k: round(v, 4) for k, v in accuracy.items()}})
    metrics: dict[str, float] = {}
    for name, n in norms.items():
        first, last = float(n[-1, 0]), float(n[-1, -1])  # at the end of training: ‖∂L/∂h_1‖, ‖∂L/∂h_T‖
        metrics[f"{name} first/last step gradient ratio"] = first / last if last > 0 else 0.0
        metrics[f"{name} accuracy"] = accuracy[name]
    return FigureResult(fig, metrics=metrics, data=data)


# --- 4. A character-level language model ----------------------------------------------------------

@dataclass(frozen=True)
class CharLMRunConfig:
    embed_dim: int = 48  # E: each character's learned vector
    hidden: int = 256  # H: GRU units
    window: int = 256  # characters per training window, read with the state carried through it
    bptt: int = 64  # k of truncated BPTT: an Adam step every k characters, the gradient stops there
    batch_size: int = 32  # B windows per batch, shuffled anew each pass over the training text
    steps: int = 400  # Adam steps, one per k characters of a batch of windows
    lr: float = 3e-3
    max_norm: float = 1.0  # gradient clipping
    val_fraction: float = 0.1  # the last 10% of the text, never trained on
    evals: int = 5  # evaluation points along training (the last at the end)
    eval_chars: int = 0  # characters of each text scored at an evaluation, 0: all of the validation text
    sample_chars: int = 300  # characters of each stored sample


PROMPTS = ("The return value", "def ", "for i in ", "import ")  # besides one drawn from the validation text
FIGURE_PROMPT = "for i in "  # the prompt of the static figure
TEMPERATURES = (0.5, 1.0, 1.5)


def shown_char(ch: str) -> str:
    """A character as a bar label: space as ␣, newline as ↵, tab as ⇥."""
    return {" ": "␣", "\n": "↵", "\t": "⇥"}.get(ch, ch)


def last_logits(model: CharLM, vocab: Vocabulary, prompt: str, device: torch.device) -> Tensor:
    """The logits (V,) of the character after ``prompt``, read from a zero state."""
    model.eval()
    with torch.no_grad():
        logits, _ = model(vocab.encode(prompt)[None].to(device))  # (1, P, V)
    model.train()
    return logits[0, -1].cpu()


@register(
    "char-lm",
    smoke=CharLMRunConfig(embed_dim=8, hidden=16, window=32, bptt=16, batch_size=4, steps=6, evals=2,
                          eval_chars=2000, sample_chars=20),
    full=CharLMRunConfig(),
    caption="A character-level GRU language model trained on CPython's help texts: the probabilities "
            "of the next character after the prompt \"for i in \" at three temperatures T, "
            "softmax(logits / T), the ten likeliest characters (␣ is a space, ↵ a new line).",
)
def char_lm(cfg: CharLMRunConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    text = python_docs_text()
    train_text, val_text = split_text(text, cfg.val_fraction)
    vocab = Vocabulary.from_text(text)  # the characters only: a validation character is never unknown
    V, dev = len(vocab), ctx.device
    train_ids, val_ids = vocab.encode(train_text).to(dev), vocab.encode(val_text).to(dev)
    n_eval = cfg.eval_chars or val_ids.shape[0]
    val_eval, train_eval = val_ids[:n_eval], train_ids[:n_eval]  # the same amount of text of each
    g_init, g_data = generator(ctx, 0), generator(ctx, 1)
    config = CharLMConfig(vocab_size=V, embed_dim=cfg.embed_dim, hidden_size=cfg.hidden)
    model = CharLM(config, generator=g_init).to(dev)
    opt = Adam(model.parameters(), lr=cfg.lr)
    eval_at = {round(cfg.steps * (i + 1) / cfg.evals) for i in range(cfg.evals)}
    curves: dict[str, list[float]] = {"step": [], "seconds": [], "train": [], "val": []}

    def evaluate(step: int, elapsed: float) -> None:
        curves["step"].append(step)
        curves["seconds"].append(round(elapsed, 1))
        for key, ids in (("train", train_eval), ("val", val_eval)):
            curves[key].append(round(nats_per_char(model, ids, cfg.bptt, batch_size=64), 4))

    start, step, bar = time.perf_counter(), 0, iter(ctx.track(range(cfg.steps), "steps"))
    while step < cfg.steps:  # one pass over the training text: windows cut at a new offset, shuffled
        for X, Y in char_windows(train_ids, cfg.window, cfg.batch_size, generator=g_data):  # (B, window)
            for chunk in truncated_bptt(model, X, cfg.bptt):  # state carried, gradient cut every k chars
                y = Y[:, chunk.start: chunk.stop].reshape(-1)  # (B·k,)
                adam_step(model, opt, cross_entropy(chunk.output.reshape(y.shape[0], V), y), cfg.max_norm)
                step += 1
                next(bar, None)
                if step in eval_at:
                    evaluate(step, time.perf_counter() - start)
                if step == cfg.steps:
                    break
            if step == cfg.steps:
                break
    seconds = time.perf_counter() - start

    # prompts: the fixed ones and one cut from the validation text, ending inside a word
    g_prompt = generator(ctx, 2)
    cut = int(torch.randint(200, len(val_text) - 200, (), generator=g_prompt))
    while val_text[cut - 1].isspace() or not val_text[cut].isalpha():
        cut += 1
    prompts = [*PROMPTS, val_text[cut - 40: cut]]
    logits = [last_logits(model, vocab, p, dev) for p in prompts]
    data = sampling_data(list(vocab.chars), prompts, [row.tolist() for row in logits], top_k=[1, 5, 10],
                         shown=12)
    data["prompts"][-1]["label"] = "from the validation text"
    samples = {f"{t:g}": generate(model, vocab, "The ", cfg.sample_chars, temperature=t,
                                  generator=torch.Generator(device=dev).manual_seed(ctx.seed))
               for t in (0.5, 1.0)}
    data.update({"curves": curves, "config": asdict(config), "training": asdict(cfg), "vocab": vocab.chars,
                 "samples": samples, "seconds": round(seconds, 1)})

    fig, axes = plt.subplots(1, len(TEMPERATURES), figsize=(10, 3.6), sharey=True, layout="constrained")
    z = logits[prompts.index(FIGURE_PROMPT)]  # (V,)
    top = z.argsort(descending=True)[:10].tolist()  # the ten likeliest characters, the likeliest on top
    for ax, t in zip(axes, TEMPERATURES, strict=True):
        p = next_char_probs(z, temperature=t)  # softmax(z / T)
        bars = ax.barh(range(len(top)), [float(p[i]) for i in top], color=class_color(0))
        ax.bar_label(bars, labels=[f"{float(p[i]):.0%}" if p[i] >= 0.005 else "" for i in top], fontsize=8,
                     padding=2)
        ax.set(title=f"T = {t:g}", xlim=(0, 1.1), xticks=[0, 0.25, 0.5, 0.75, 1], xlabel="probability")
        ax.title.set_fontsize(10)
        ax.grid(True, axis="x", alpha=0.3)
    axes[0].set_yticks(range(len(top)), [shown_char(vocab.chars[i]) for i in top], fontfamily="monospace")
    axes[0].invert_yaxis()
    axes[0].set_ylabel(f"next character after \"{FIGURE_PROMPT.replace(' ', shown_char(' '))}\"")

    n_params = sum(p.numel() for p in model.parameters())
    metrics = {"train_nats_per_char": curves["train"][-1], "val_nats_per_char": curves["val"][-1],
               "steps": float(cfg.steps), "parameters": float(n_params)}  # wall time: the manifest's
    return FigureResult(fig, metrics=metrics, state_dict=model.state_dict(), data=data)

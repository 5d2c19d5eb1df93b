"""Trained figures of docs/architectures/attention-and-transformers.py, every network built from dlbook.

- ``attention-reversal``: one self-attention layer learns to write a sequence backwards, with
  learned positions and without any; the attention maps along training are a ``"heatmap"``
  explorable (the slider runs over checkpoints).
- ``char-gpt``: a character-level GPT (dlbook.gpt) and the recurrent chapter's GRU language
  model, each trained for the same time budget on the same machine and scored on the same
  held-out text; its ``data.json`` is a ``"sampling"`` explorable of the GPT's next-character
  scores, and its checkpoint is the GPT's weights.
- ``char-gpt-attention``: no training; the attention weights of ``char-gpt``'s frozen GPT on a
  few prompts, every layer and head, as an ``"attention"`` explorable (made after ``char-gpt``,
  whose checkpoint it reads and whose sha256 it records; the smoke tier uses an untrained GPT).

Time in ``char-gpt`` is the training's own: CPU seconds of this process on a CPU (so that other
programs on a shared machine do not tilt the comparison), wall seconds on a GPU, and the clock
stops while a model is evaluated. The time budget ends the full tier; the smoke tier stops at a
small step cap long before its budget, so its numbers repeat exactly. Data and initial weights
are drawn from ``torch.Generator`` objects seeded from ``ctx.seed``; the global RNG is never used.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

import torch
from torch import Tensor, nn

from dlbook.attention import linear
from dlbook.bptt import truncated_bptt
from dlbook.charlm import CharLM, CharLMConfig, generate, nats_per_char, next_char_probs
from dlbook.figures import load_checkpoint, load_data, load_manifest
from dlbook.figures.kinds import check_heatmap, heatmap_data, sampling_data
from dlbook.figures.kinds_attention import attention_data
from dlbook.gpt import GPT, GPTConfig
from dlbook.kv_cache import Recompute
from dlbook.losses import cross_entropy
from dlbook.optim import Adam
from dlbook.palette import NEUTRAL, class_color
from dlbook.positional import LearnedPositions
from dlbook.sequences import reversal_task
from dlbook.text import Vocabulary, char_windows, python_docs_text, split_text
from dlbook.transformer import TransformerEncoder
from dlbook_build.figures.registry import Context, FigureResult, register
from experiments.architectures.recurrent_networks import (
    PROMPTS,
    CharLMRunConfig,
    adam_step,
    draw_seed,
    generator,
    shown_char,
    signif,
)

# --- 1. Reversing a sequence with one attention layer ---------------------------------------------

@dataclass(frozen=True)
class ReversalConfig:
    length: int = 10  # T symbols per sequence
    num_symbols: int = 10  # K distinct symbols; guessing scores 1/K
    d_model: int = 32  # width of the embeddings and of the one transformer block
    n_heads: int = 1  # one head, so each map is the whole story
    steps: int = 200  # Adam steps, a fresh batch each step
    batch_size: int = 64
    lr: float = 2e-3
    frames: int = 21  # checkpoints recorded: step 0, then denser early on, where the maps change
    probe_size: int = 256  # fixed sequences the attention maps are averaged over
    n_test: int = 1000  # fresh sequences each model is scored on


class Reverser(nn.Module):
    """Symbols -> embeddings (+ learned positions) -> one pre-norm transformer block -> scores.

    ``forward(x (B, T)) -> (logits (B, T, K + 1), weights (B, H, T, T))``; output position i
    should be ``x[:, T − 1 − i]``. Without ``positions`` the block sees a set, not a sequence.
    """

    def __init__(self, cfg: ReversalConfig, *, positions: bool, g: torch.Generator) -> None:
        super().__init__()
        V, d = cfg.num_symbols + 1, cfg.d_model  # symbols 1..K (0 unused)
        self.embed = nn.Embedding.from_pretrained(0.5 * torch.randn(V, d, generator=g), freeze=False)
        self.positions = LearnedPositions(d, cfg.length, std=0.5, generator=g) if positions else None
        self.encoder = TransformerEncoder(d, cfg.n_heads, 1, generator=g)
        self.head = linear(d, V, generator=g)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        h = self.embed(x)  # (B, T, d)
        if self.positions is not None:
            h = self.positions(h)  # + p_t
        h, weights = self.encoder(h, return_attention=True)  # (B, T, d), (1, B, H, T, T)
        return self.head(h), weights[0]


@torch.no_grad()
def probe_reverser(model: Reverser, probe: Tensor, X: Tensor, Y: Tensor) -> tuple[Tensor, float]:
    """The first head's attention map averaged over ``probe`` (T, T), and the accuracy on (X, Y)."""
    _, weights = model(probe)  # (B, H, T, T)
    y_hat = model(X)[0].argmax(dim=-1)  # (n, T)
    return weights[:, 0].mean(dim=0).cpu(), float((y_hat == Y).float().mean())


def checkpoint_steps(steps: int, frames: int) -> list[int]:
    """``frames`` steps from 0 to ``steps``, spaced quadratically: dense early, where maps form."""
    return sorted({round(steps * (k / (frames - 1)) ** 2) for k in range(frames)})


def anti_diagonal(weights: Tensor) -> float:
    """Mean attention that query i pays to key T − 1 − i: 1 for a perfect reverser. (T, T) -> float."""
    return float(weights.flip(-1).diagonal().mean())


@register(
    "attention-reversal",
    smoke=ReversalConfig(length=5, num_symbols=4, d_model=8, steps=6, batch_size=8, frames=3, probe_size=16,
                         n_test=32),
    full=ReversalConfig(),
    caption="One self-attention layer learning to write a sequence of 10 symbols backwards, with learned "
            "positions and without any: the attention weight of every output position (rows) on every input "
            "position (columns), averaged over 256 fixed sequences, at steps along training. The static "
            "picture shows four of them (top row: learned positions; bottom row: none) and both models' "
            "accuracy on fresh sequences, where chance is 1/10.",
)
def attention_reversal(cfg: ReversalConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    T, K, dev = cfg.length, cfg.num_symbols, ctx.device
    probe, _ = reversal_task(cfg.probe_size, T, K, seed=ctx.seed + 1000)
    X_test, Y_test = reversal_task(cfg.n_test, T, K, seed=ctx.seed + 2000)
    probe, X_test, Y_test = probe.to(dev), X_test.to(dev), Y_test.to(dev)
    marks = checkpoint_steps(cfg.steps, cfg.frames)
    models = {"learned positions": True, "no positions": False}
    maps: dict[str, list[Tensor]] = {}  # model -> one (T, T) map per checkpoint
    accuracy: dict[str, list[float]] = {}
    for name, positions in models.items():
        g_data = generator(ctx, 1)  # the same batches for both models
        model = Reverser(cfg, positions=positions, g=generator(ctx, 0)).to(dev)
        opt = Adam(model.parameters(), lr=cfg.lr)
        maps[name], accuracy[name] = [], []

        for step in ctx.track(range(cfg.steps + 1), name):
            if step in marks:
                weights, acc = probe_reverser(model, probe, X_test, Y_test)
                maps[name].append(weights)
                accuracy[name].append(acc)
            if step == cfg.steps:
                break
            src, tgt = reversal_task(cfg.batch_size, T, K, seed=draw_seed(g_data))
            logits, _ = model(src.to(dev))  # (B, T, K + 1)
            adam_step(model, opt, cross_entropy(logits.reshape(-1, K + 1), tgt.to(dev).reshape(-1)), 1.0)

    shown = [0, round(0.35 * len(marks)), len(marks) // 2, len(marks) - 1]  # four checkpoints in the image
    fig = plt.figure(figsize=(11, 5), layout="constrained")
    grid = fig.add_gridspec(2, 6, width_ratios=[1, 1, 1, 1, 0.08, 1.6])
    for r, name in enumerate(models):
        for c, f in enumerate(shown):
            ax = fig.add_subplot(grid[r, c])
            image = ax.imshow(maps[name][f].numpy(), vmin=0, vmax=1, cmap="viridis", interpolation="nearest")
            ax.set_title(f"step {marks[f]}, acc. {accuracy[name][f]:.0%}", fontsize=9)
            ax.set_xticks([0, T - 1], ["1", str(T)])
            ax.set_yticks([0, T - 1], ["1", str(T)])
            if c == 0:
                ax.set_ylabel(f"{name}\noutput position i", fontsize=9)
            if r == 1:
                ax.set_xlabel("input position j", fontsize=9)
    fig.colorbar(image, cax=fig.add_subplot(grid[:, 4]), label="attention weight")
    ax = fig.add_subplot(grid[:, 5])
    for k, name in enumerate(models):
        ax.plot(marks, accuracy[name], marker="o", ms=3, color=class_color(k), label=name)
    ax.axhline(1 / K, color=NEUTRAL, ls="--", lw=1, label=f"chance, 1/{K}")
    ax.set(xlabel="training step", ylabel="accuracy on fresh sequences", ylim=(0, 1.05))
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=8, loc="center right")

    values = [[[[float(v) for v in row] for row in maps[name][f].tolist()] for name in models]
              for f in range(len(marks))]
    data = heatmap_data(marks, list(models), values, frame_label="training step",
                        x_label="input position j", y_label="output position i",
                        value_label="attention weight", rows=list(range(1, T + 1)),
                        cols=list(range(1, T + 1)), digits=3)
    data["range"] = [0, 1]
    check_heatmap("attention-reversal", data)
    data.update({"accuracy": {name: signif(acc) for name, acc in accuracy.items()}, "length": T,
                 "num_symbols": K})
    metrics: dict[str, float] = {}
    for name in models:
        metrics[f"accuracy, {name}"] = accuracy[name][-1]
        metrics[f"anti-diagonal weight, {name}"] = anti_diagonal(maps[name][-1])
    return FigureResult(fig, metrics=metrics, data=data)


# --- 2. A character-level GPT against the GRU, at equal training time ------------------------------

@dataclass(frozen=True)
class CharGPTConfig:
    block_size: int = 64  # T: characters of context, the most the GPT reads at once
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 96  # d_model
    batch_size: int = 32  # B windows of T characters per step: 2048 characters, as the GRU reads
    lr: float = 2e-3
    max_norm: float = 1.0  # gradient clipping
    seconds: float = 120.0  # training budget of each model (see the module docstring for the clock)
    max_steps: int = 1_000_000  # a cap on each model's steps: the smoke tier stops here, not at the budget
    evals: int = 6  # evaluations along each run, at equal fractions of the budget (the last at its end)
    eval_chars: int = 0  # validation characters scored at each evaluation, 0: all of them
    val_fraction: float = 0.1  # the last 10% of the text, as in the recurrent chapter
    gru: CharLMRunConfig = field(default_factory=CharLMRunConfig)  # the recurrent chapter's char-lm
    sample_chars: int = 300  # characters of each stored sample


FIGURE_TEMPERATURES = ((0.5, None), (1.0, None), (1.0, 5))  # (T, top-k) of the image's three panels
SAMPLE_PROMPT = "The "


class Clock:
    """A model's training time: CPU seconds on a CPU, wall seconds on a GPU; ``paused()`` stops it."""

    def __init__(self, device: torch.device) -> None:
        self.device, self.spent = device, 0.0
        self.started = self.now()

    def now(self) -> float:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            return time.perf_counter()
        return time.process_time() if self.device.type == "cpu" else time.perf_counter()

    def elapsed(self) -> float:
        return self.spent + self.now() - self.started

    @contextmanager
    def paused(self) -> Iterator[None]:
        self.spent = self.elapsed()
        try:
            yield
        finally:
            self.started = self.now()


def gpt_updates(model: GPT, ids: Tensor, cfg: CharGPTConfig, g: torch.Generator) -> Iterator[None]:
    """Adam steps on shuffled windows of T characters, every position predicting the next; endless."""
    opt, V = Adam(model.parameters(), lr=cfg.lr), model.config.vocab_size
    while True:  # one pass over the training text, windows cut at a new offset each time
        for X, Y in char_windows(ids, cfg.block_size, cfg.batch_size, generator=g):  # (B, T) each
            logits, _ = model(X)  # (B, T, V): causal, position t sees 0..t
            adam_step(model, opt, cross_entropy(logits.reshape(-1, V), Y.reshape(-1)), cfg.max_norm)
            yield


def gru_updates(model: CharLM, ids: Tensor, cfg: CharLMRunConfig, g: torch.Generator) -> Iterator[None]:
    """The recurrent chapter's char-lm training: truncated BPTT over shuffled windows; endless."""
    opt, V = Adam(model.parameters(), lr=cfg.lr), model.config.vocab_size
    while True:
        for X, Y in char_windows(ids, cfg.window, cfg.batch_size, generator=g):  # (B, window)
            for chunk in truncated_bptt(model, X, cfg.bptt):  # state carried, gradient cut every k chars
                y = Y[:, chunk.start: chunk.stop].reshape(-1)  # (B·k,)
                adam_step(model, opt, cross_entropy(chunk.output.reshape(y.shape[0], V), y), cfg.max_norm)
                yield


def train_for(updates: Iterator[None], evaluate: Callable[[], float], cfg: CharGPTConfig, ctx: Context,
              desc: str) -> dict[str, list[float]]:
    """Run ``updates`` until ``cfg.seconds`` of training time (or ``cfg.max_steps``), scoring the model
    on the validation text at every ``seconds / evals`` and at the end, the clock paused meanwhile."""
    clock, marks = Clock(ctx.device), [cfg.seconds * (k + 1) / cfg.evals for k in range(cfg.evals)]
    curve: dict[str, list[float]] = {"step": [], "seconds": [], "val": []}
    passed = 0
    for step, _ in enumerate(ctx.track(updates, desc), start=1):
        seconds = clock.elapsed()
        done = step >= cfg.max_steps or seconds >= cfg.seconds
        if done or seconds >= marks[passed]:
            while passed < len(marks) - 1 and seconds >= marks[passed]:
                passed += 1
            with clock.paused():
                curve["step"].append(step)
                curve["seconds"].append(round(seconds, 1))
                curve["val"].append(round(evaluate(), 4))
        if done:
            return curve
    raise AssertionError("the updates never end")


def next_logits(model: Callable[[Tensor, object], tuple[Tensor, object]], vocab: Vocabulary, prompt: str,
                device: torch.device, *, max_len: int) -> Tensor:
    """The scores (V,) of the character after ``prompt``, read from its last ``max_len`` characters."""
    with torch.no_grad():
        logits, _ = model(vocab.encode(prompt[-max_len:])[None].to(device), None)  # (1, P, V)
    return logits[0, -1].cpu()


@register(
    "char-gpt",
    smoke=CharGPTConfig(block_size=16, n_layer=1, n_head=2, n_embd=16, batch_size=4, seconds=3600.0,
                        max_steps=4, evals=2, eval_chars=2000, sample_chars=20,
                        gru=CharLMRunConfig(embed_dim=8, hidden=16, window=32, bptt=16, batch_size=4)),
    full=CharGPTConfig(),
    caption="A character-level GPT trained on CPython's help texts: the probabilities of the next character "
            "after the prompt \"for i in \", softmax(logits / T) at temperature T = 0.5, at T = 1, and at "
            "T = 1 restricted to the five likeliest characters (top-k = 5); the ten likeliest characters "
            "(␣ is a space, ↵ a new line).",
)
def char_gpt(cfg: CharGPTConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    text = python_docs_text()
    train_text, val_text = split_text(text, cfg.val_fraction)  # the recurrent chapter's split
    vocab = Vocabulary.from_text(text)
    V, dev = len(vocab), ctx.device
    train_ids, val_ids = vocab.encode(train_text).to(dev), vocab.encode(val_text).to(dev)
    val_eval = val_ids[: cfg.eval_chars or val_ids.shape[0]]

    config = GPTConfig(vocab_size=V, block_size=cfg.block_size, n_layer=cfg.n_layer, n_head=cfg.n_head,
                       n_embd=cfg.n_embd)
    gpt = GPT(config, generator=generator(ctx, 0)).to(dev)
    window = Recompute(gpt, max_len=cfg.block_size)  # reads at most block_size characters back
    gpt_curve = train_for(gpt_updates(gpt, train_ids, cfg, generator(ctx, 1)),
                          lambda: nats_per_char(window, val_eval, cfg.block_size // 2, batch_size=64),
                          cfg, ctx, "GPT")
    g = cfg.gru
    gru_config = CharLMConfig(vocab_size=V, embed_dim=g.embed_dim, hidden_size=g.hidden)
    gru = CharLM(gru_config, generator=generator(ctx, 0)).to(dev)
    gru_curve = train_for(gru_updates(gru, train_ids, g, generator(ctx, 1)),
                          lambda: nats_per_char(gru, val_eval, g.bptt, batch_size=64), cfg, ctx, "GRU")

    # the decoding explorer: the GPT's scores after the recurrent chapter's prompts and one from the
    # validation text, cut to end inside a word
    g_prompt = generator(ctx, 2)
    cut = int(torch.randint(200, len(val_text) - 200, (), generator=g_prompt))
    while val_text[cut - 1].isspace() or not val_text[cut].isalpha():
        cut += 1
    prompts = [*PROMPTS, val_text[cut - 40: cut]]
    gpt.eval()
    logits = [next_logits(window, vocab, p, dev, max_len=cfg.block_size) for p in prompts]
    data = sampling_data(list(vocab.chars), prompts, [row.tolist() for row in logits], top_k=[1, 5, 10],
                         shown=12)
    data["prompts"][-1]["label"] = "from the validation text"
    samples = {name: generate(model, vocab, SAMPLE_PROMPT, cfg.sample_chars, temperature=0.8,
                              generator=torch.Generator(device=dev).manual_seed(ctx.seed))
               for name, model in (("GPT", window), ("GRU", gru))}
    chars_per_step = {"GPT": cfg.batch_size * cfg.block_size, "GRU": g.batch_size * g.bptt}
    parameters = {"GPT": gpt.num_parameters(), "GRU": sum(p.numel() for p in gru.parameters())}
    data.update({"curves": {"GPT": gpt_curve, "GRU": gru_curve}, "config": asdict(config),
                 "gru_config": asdict(gru_config), "training": asdict(cfg), "vocab": vocab.chars,
                 "samples": {"prompt": SAMPLE_PROMPT, "temperature": 0.8, **samples},
                 "chars_per_step": chars_per_step, "parameters": parameters,
                 "clock": "wall seconds" if dev.type != "cpu" else "CPU seconds"})

    fig, axes = plt.subplots(1, len(FIGURE_TEMPERATURES), figsize=(10, 3.6), sharey=True,
                             layout="constrained")
    z = logits[prompts.index("for i in ")]  # (V,)
    top = z.argsort(descending=True)[:10].tolist()  # the ten likeliest characters, the likeliest on top
    for ax, (t, k) in zip(axes, FIGURE_TEMPERATURES, strict=True):
        p = next_char_probs(z, temperature=t, top_k=k)  # softmax(z / T) over the top k
        bars = ax.barh(range(len(top)), [float(p[i]) for i in top], color=class_color(0))
        ax.bar_label(bars, labels=[f"{float(p[i]):.0%}" if p[i] >= 0.005 else "" for i in top], fontsize=8,
                     padding=2)
        ax.set(title=f"T = {t:g}" + (f", top-k = {k}" if k else ""), xlim=(0, 1.1),
               xticks=[0, 0.25, 0.5, 0.75, 1], xlabel="probability")
        ax.title.set_fontsize(10)
        ax.grid(True, axis="x", alpha=0.3)
    axes[0].set_yticks(range(len(top)), [shown_char(vocab.chars[i]) for i in top], fontfamily="monospace")
    axes[0].invert_yaxis()
    axes[0].set_ylabel(f"next character after \"for{shown_char(' ')}i{shown_char(' ')}in{shown_char(' ')}\"")

    metrics = {"GPT val_nats_per_char": gpt_curve["val"][-1], "GRU val_nats_per_char": gru_curve["val"][-1],
               "GPT parameters": float(parameters["GPT"]), "GRU parameters": float(parameters["GRU"])}
    return FigureResult(fig, metrics=metrics, state_dict=gpt.state_dict(), data=data)


# --- 3. What the trained GPT attends to -----------------------------------------------------------

@dataclass(frozen=True)
class AttentionMapsConfig:
    trained: bool = True  # char-gpt's frozen weights; False: an untrained GPT of the sizes below
    prompts: tuple[str, ...] = ("for name in names:\n    print(name)", "The return value is None.",
                                "x = [i * i for i in range(10)]")
    n_layer: int = 4  # the untrained GPT's sizes (a trained one brings its own config)
    n_head: int = 4
    n_embd: int = 16


@register(
    "char-gpt-attention",
    smoke=AttentionMapsConfig(trained=False, n_layer=1, n_head=2, n_embd=8),
    full=AttentionMapsConfig(),
    caption="Where the character-level GPT looks: the attention weights of every layer (rows) and head "
            "(columns) of the trained model on the line \"for name in names:\" and the indented line after "
            "it. Row i of a map is position i's weights over the positions up to i (the causal mask "
            "leaves the upper triangle empty).",
)
def char_gpt_attention(cfg: AttentionMapsConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    vocab = Vocabulary.from_text(python_docs_text())
    if cfg.trained:
        lm = load_data("char-gpt")
        vocab, config = Vocabulary(lm["vocab"]), GPTConfig(**lm["config"])
        gpt = GPT(config)
        gpt.load_state_dict(load_checkpoint("char-gpt"))
        source = load_manifest("char-gpt")["files"]["checkpoint.pt"]
    else:
        config = GPTConfig(vocab_size=len(vocab), block_size=max(map(len, cfg.prompts)), n_layer=cfg.n_layer,
                           n_head=cfg.n_head, n_embd=cfg.n_embd)
        gpt, source = GPT(config, generator=generator(ctx, 0)), "untrained"
    gpt = gpt.to(ctx.device).eval()
    maps = []
    with torch.no_grad():
        for prompt in cfg.prompts:
            _, _, weights = gpt(vocab.encode(prompt)[None].to(ctx.device), return_attention=True)
            maps.append(weights[:, 0].cpu())  # (L, H, T, T)
    data = attention_data(list(cfg.prompts), maps)
    data["checkpoint_sha256"] = source

    L, H = config.n_layer, config.n_head
    fig, axes = plt.subplots(L, H, figsize=(1.9 * H + 0.6, 1.9 * L + 0.4), squeeze=False,
                             layout="constrained")
    for layer in range(L):
        for head in range(H):
            ax = axes[layer, head]
            image = ax.imshow(maps[0][layer, head].numpy(), cmap="viridis", vmin=0, vmax=1,
                              interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if layer == 0:
                ax.set_title(f"head {head + 1}", fontsize=9)
            if head == 0:
                ax.set_ylabel(f"layer {layer + 1}", fontsize=9)
    fig.colorbar(image, ax=list(axes.flat), shrink=0.6, label="attention weight")
    previous = torch.stack([m.diagonal(offset=-1, dim1=-2, dim2=-1).mean(-1) for m in maps]).mean(0)  # (L, H)
    metrics = {"largest mean weight on the previous character": float(previous.max()),
               "layers": float(L), "heads": float(H)}
    return FigureResult(fig, metrics=metrics, data=data)

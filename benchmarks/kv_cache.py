"""Generation with the key-value cache against recomputing the prefix, side by side in one run.

    python benchmarks/kv_cache.py        # prints the table; writes benchmarks/results/kv_cache.txt

A small character-level GPT (dlbook.gpt: 4 layers, 4 heads, n_embd 128, vocab 65, untrained,
float32) writes 32, 64, 128 and 256 tokens after a 16-token prompt, greedily, batch 1, with
``dlbook.kv_cache.generate_ids``: once with the cache (each step reads one new token and
attends to the cached keys and values) and once through ``Recompute`` (each step re-reads the
whole prefix). Both must give the same tokens, and logits equal to rounding, before anything is
timed. For each length the two run alternated, ``--repeats`` times after a warm-up, and the
medians are compared as tokens per second. One thread; times are the process's CPU time, which
other programs on a shared machine inflate less than wall time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import Tensor, nn

from dlbook.gpt import GPT, GPTConfig
from dlbook.kv_cache import Recompute, generate_ids

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "kv_cache.txt"

CONFIG = GPTConfig(vocab_size=65, block_size=512, n_layer=4, n_head=4, n_embd=128)
PROMPT = 16
LENGTHS = [32, 64, 128, 256]


def run(model: nn.Module, prompt: Tensor, n: int) -> Callable[[], tuple[Tensor, Tensor]]:
    return lambda: generate_ids(model, prompt, n, top_k=1)  # greedy: no random draws to compare


def cpu_seconds(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def time_length(gpt: GPT, prompt: Tensor, n: int, repeats: int) -> tuple[float, float]:
    """Median CPU seconds of generating ``n`` tokens: (with the cache, recomputing the prefix)."""
    cached, recompute = run(gpt, prompt, n), run(Recompute(gpt), prompt, n)
    ids, logits = cached()
    ids_again, logits_again = recompute()  # also the warm-up
    assert torch.equal(ids, ids_again), "the cache changed the generated tokens"
    torch.testing.assert_close(logits, logits_again, rtol=1e-4, atol=1e-4)  # float32, other sums
    times: dict[str, list[float]] = {"cache": [], "recompute": []}
    for _ in range(repeats):  # alternated, so a busy spell of the machine hits both alike
        times["cache"].append(cpu_seconds(cached))
        times["recompute"].append(cpu_seconds(recompute))
    return statistics.median(times["cache"]), statistics.median(times["recompute"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    gpt = GPT(CONFIG, generator=torch.Generator().manual_seed(0)).eval()
    prompt = torch.randint(0, CONFIG.vocab_size, (1, PROMPT), generator=torch.Generator().manual_seed(1))
    c = CONFIG
    lines = [
        f"dlbook.gpt generation with the KV cache against recomputing the prefix: {c.n_layer} layers, "
        f"{c.n_head} heads, n_embd {c.n_embd}, vocab {c.vocab_size}, {gpt.num_parameters():,} parameters, "
        f"float32, batch 1, greedy, {PROMPT}-token prompt; {args.threads} thread(s), median CPU time of "
        f"{args.repeats} alternated runs after a warm-up; tokens equal and logits close checked first",
        f"  {'new tokens':>10}{'cache tok/s':>14}{'recompute tok/s':>18}{'speed-up':>11}",
    ]
    for n in LENGTHS:
        cached, recompute = time_length(gpt, prompt, n, args.repeats)
        lines.append(f"  {n:>10}{n / cached:>14.0f}{n / recompute:>18.0f}{recompute / cached:>10.1f}x")
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text + "\n")


if __name__ == "__main__":
    main()

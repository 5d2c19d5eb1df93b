"""dlbook.train: the fit loop's logs, callbacks, checks on bad input, global state, DDP under torchrun."""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from process_state import process_switches
from torch import Tensor, nn

from dlbook.datasets import moons
from dlbook.mlp import MLP
from dlbook.optim import SGD
from dlbook.train import Callback, Checkpoint, EarlyStopping, FitConfig, History, accuracy, epoch_order, fit
from dlbook.utils import restoring_global_state

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def one_thread(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tiny models run fastest on one thread, and far faster when the 2 cores are shared."""
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):  # these tests run as a single process
        monkeypatch.delenv(name, raising=False)
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def small_mlp(seed: int = 0, dtype: torch.dtype = torch.float32) -> MLP:
    return MLP([2, 16, 16, 2], activation="tanh", generator=torch.Generator().manual_seed(seed)).to(dtype)


def run(seed: int, **options: object) -> tuple[History, MLP]:
    X, y = moons(128, seed=0)
    model = small_mlp()
    config = FitConfig(num_epochs=3, batch_size=16, lr=0.01, seed=seed, **options)  # type: ignore[arg-type]
    return fit(model, (X, y), loss_fn=F.cross_entropy, config=config, val_data=moons(64, seed=1)), model


def test_accuracy_counts_the_rows_whose_top_score_is_the_label() -> None:
    y_hat = torch.tensor([[0.1, 0.9], [2.0, -1.0], [0.3, 0.2], [-1.0, 0.0]])
    assert accuracy(y_hat, torch.tensor([1, 0, 1, 1])).item() == 0.75
    expected = r"accuracy expects scores \(B, K\) and labels \(B,\), got \(4, 2\) and \(3,\)"
    with pytest.raises(ValueError, match=expected):
        accuracy(y_hat, torch.tensor([1, 0, 1]))


def test_same_seed_gives_the_same_history_and_weights() -> None:
    (h1, m1), (h2, m2) = run(seed=3), run(seed=3)
    assert h1 == h2
    for a, b in zip(m1.state_dict().values(), m2.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    h3, _ = run(seed=4)  # another seed shuffles differently
    assert h3.train_loss != h1.train_loss


def test_history_has_one_entry_per_epoch_and_metric() -> None:
    X, y = moons(96, seed=0)
    history = fit(small_mlp(), (X, y), loss_fn=F.cross_entropy, config=FitConfig(num_epochs=4, batch_size=32),
                  val_data=moons(40, seed=1), metrics={"acc": accuracy})
    assert history.epochs_run == 4 and not history.stopped_early
    assert len(history.train_loss) == len(history.val_loss) == 4
    assert sorted(history.metrics) == ["acc", "val_acc"]
    assert all(len(v) == 4 and all(0 <= a <= 1 for a in v) for v in history.metrics.values())
    no_val = fit(small_mlp(), (X, y), loss_fn=F.cross_entropy, config=FitConfig(num_epochs=2, batch_size=32))
    assert no_val.val_loss == [] and len(no_val.train_loss) == 2


def test_fit_learns_moons() -> None:
    X, y = moons(512, noise=0.1, seed=0)
    model = small_mlp()
    config = FitConfig(num_epochs=25, batch_size=32, lr=0.02)
    history = fit(model, (X, y), loss_fn=F.cross_entropy, config=config,
                  val_data=moons(256, noise=0.1, seed=1), metrics={"acc": accuracy})
    assert history.metrics["val_acc"][-1] > 0.9
    assert history.train_loss[-1] < history.train_loss[0] / 3


@pytest.mark.parametrize(("n", "world"), [(10, 1), (10, 3), (7, 2), (2, 5), (16, 4)])
@pytest.mark.parametrize("shuffle", [True, False])
def test_epoch_order_is_the_distributed_samplers(n: int, world: int, shuffle: bool) -> None:
    data = torch.utils.data.TensorDataset(torch.arange(n))
    for rank in range(world):
        sampler = torch.utils.data.DistributedSampler(data, num_replicas=world, rank=rank, shuffle=shuffle,
                                                      seed=7)
        sampler.set_epoch(3)
        order = epoch_order(n, world=world, rank=rank, shuffle=shuffle, seed=7, epoch=3)
        assert order.tolist() == list(sampler)


def test_a_dataset_trains_exactly_like_tensors() -> None:
    """The DataLoader path (any Dataset) and the fast path for (X, y) tensors see the same batches."""
    X, y = moons(64, seed=0)

    class Pairs(torch.utils.data.Dataset[tuple[Tensor, Tensor]]):
        def __len__(self) -> int:
            return len(X)

        def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
            return X[i], y[i]

    config = FitConfig(num_epochs=2, batch_size=16, lr=0.01, seed=5)
    from_tensors = fit(small_mlp(), (X, y), loss_fn=F.cross_entropy, config=config)
    from_dataset = fit(small_mlp(), Pairs(), loss_fn=F.cross_entropy, config=config)
    assert from_dataset == from_tensors


def test_early_stopping_stops_once_the_loss_stalls() -> None:
    X, y = moons(64, seed=0)
    model = small_mlp()
    frozen = SGD(model.parameters(), lr=0.0)  # nothing changes: val_loss is flat after epoch 1
    history = fit(model, (X, y), loss_fn=F.cross_entropy, config=FitConfig(num_epochs=20, batch_size=32),
                  optimizer=frozen, val_data=(X, y), callbacks=[EarlyStopping(patience=2)])
    assert history.stopped_early and history.epochs_run == 3  # best at 1, then 2 epochs without gain
    assert len(history.train_loss) == len(history.val_loss) == 3
    # improvements smaller than min_delta do not count
    config = FitConfig(num_epochs=20, batch_size=32, lr=1e-4)
    slow = fit(small_mlp(), (X, y), loss_fn=F.cross_entropy, config=config, val_data=(X, y),
               callbacks=[EarlyStopping(patience=1, min_delta=1.0)])
    assert slow.stopped_early and slow.epochs_run == 2


def test_checkpoint_keeps_the_best_weights(tmp_path: Path) -> None:
    X, y = moons(128, seed=0)
    Xv, yv = moons(64, seed=1)
    checkpoint = Checkpoint(tmp_path / "best.pt", monitor="val_loss")
    config = FitConfig(num_epochs=6, batch_size=32, lr=0.05)
    history = fit(small_mlp(), (X, y), loss_fn=F.cross_entropy, config=config, val_data=(Xv, yv),
                  callbacks=[checkpoint])
    best = min(history.val_loss)
    assert checkpoint.best == best and checkpoint.best_epoch == history.val_loss.index(best) + 1
    state = torch.load(tmp_path / "best.pt", weights_only=True)
    restored = small_mlp(seed=9)
    restored.load_state_dict(state)
    with torch.no_grad():
        torch.testing.assert_close(F.cross_entropy(restored(Xv), yv).item(), best)
    assert [p.name for p in tmp_path.iterdir()] == ["best.pt"]  # no temporary file left behind


def test_callbacks_refuse_a_key_that_is_not_logged(tmp_path: Path) -> None:
    X, y = moons(32, seed=0)
    with pytest.raises(KeyError, match="monitors 'val_loss'.*pass val_data"):
        fit(small_mlp(), (X, y), loss_fn=F.cross_entropy, config=FitConfig(num_epochs=1, batch_size=8),
            callbacks=[EarlyStopping()])
    with pytest.raises(ValueError, match="mode 'min' or 'max'"):
        Checkpoint(tmp_path / "x.pt", mode="lowest")


def rng_states() -> tuple[object, ...]:
    """Python's, NumPy's and torch's global generator states, comparable with ==."""
    np_state = np.random.get_state()
    assert isinstance(np_state, tuple)
    kind, keys, *rest = np_state  # ("MT19937", keys (624,), pos, has_gauss, cached_gaussian)
    return random.getstate(), (kind, keys.tolist(), *rest), torch.get_rng_state().tolist()


@pytest.fixture(params=["all off", "all on", "on, warn only"])
def switches(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """The caller's switches set one way or the other before fit (and put back after the test)."""
    on, warn_only = request.param != "all off", request.param == "on, warn only"
    with restoring_global_state():
        torch.use_deterministic_algorithms(on, warn_only=warn_only)
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = on, not on
        torch.set_num_threads(2 if on else 1)
        if on:
            monkeypatch.setenv("CUBLAS_WORKSPACE_CONFIG", ":16:8")
        else:
            monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
        yield process_switches()


class SeesSwitches(Callback):
    """Records the switches as fit runs, to check that fit did turn them on inside."""

    def __init__(self) -> None:
        self.seen: list[dict[str, object]] = []

    def on_fit_start(self, model: nn.Module) -> None:
        return None

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float]) -> bool:
        self.seen.append(process_switches())
        return False


def test_fit_puts_back_the_process_switches(switches: dict[str, object]) -> None:
    X, y = moons(64, seed=0)
    inside = SeesSwitches()
    fit(small_mlp(), (X, y), loss_fn=F.cross_entropy, config=FitConfig(num_epochs=1, batch_size=16),
        callbacks=[inside])
    assert inside.seen[0]["deterministic"] and inside.seen[0]["warn_only"]  # on while fit trains
    assert inside.seen[0]["CUBLAS_WORKSPACE_CONFIG"] == (switches["CUBLAS_WORKSPACE_CONFIG"] or ":4096:8")
    assert process_switches() == switches


def test_fit_that_raises_puts_back_the_process_switches(switches: dict[str, object]) -> None:
    X, y = moons(64, seed=0)
    with pytest.raises(FloatingPointError, match="loss became nan"):
        fit(small_mlp(), (X, y), loss_fn=lambda y_hat, y: F.cross_entropy(y_hat, y) * float("nan"),
            config=FitConfig(num_epochs=1, batch_size=16))
    assert process_switches() == switches


def dropout_mlp() -> nn.Module:
    """small_mlp behind a dropout layer, so that training draws from torch's global generator."""
    return nn.Sequential(nn.Dropout(0.3), small_mlp())


Draws = list[tuple[float, float, float]]  # one (random, np.random, torch) draw per loss call


def drawing_loss(seen: Draws, factor: float = 1.0) -> Callable[[Tensor, Tensor], Tensor]:
    """factor × cross-entropy, which also draws from the three global generators, as user code may."""
    def loss_fn(y_hat: Tensor, y: Tensor) -> Tensor:
        seen.append((random.random(), float(np.random.rand()), torch.rand(()).item()))
        return F.cross_entropy(y_hat, y) * factor
    return loss_fn


@pytest.mark.parametrize("raises", [False, True])
def test_fit_leaves_the_callers_generators_where_they_were(raises: bool) -> None:
    """fit draws from the global generators inside, yet the caller's states are the same after."""
    X, y = moons(64, seed=0)
    seen: Draws = []
    before = rng_states()
    with pytest.raises(FloatingPointError) if raises else contextlib.nullcontext():
        fit(dropout_mlp(), (X, y), loss_fn=drawing_loss(seen, float("nan") if raises else 1.0),
            config=FitConfig(num_epochs=2, batch_size=16))
    assert seen  # the generators were used inside fit
    assert rng_states() == before


def test_same_seed_repeats_whatever_the_caller_drew_before() -> None:
    """Dropout masks and the draws of user code come from config.seed, not from the caller's state."""
    X, y = moons(64, seed=0)

    def once() -> tuple[History, nn.Module, Draws]:
        model, seen = dropout_mlp(), Draws()
        history = fit(model, (X, y), loss_fn=drawing_loss(seen), config=FitConfig(num_epochs=2, batch_size=16,
                                                                                   lr=0.01, seed=3))
        return history, model, seen

    with restoring_global_state():
        h1, m1, seen1 = once()
        _ = random.random(), np.random.rand(), torch.rand(5)  # the caller moves its generators on
        h2, m2, seen2 = once()
    assert h1 == h2 and seen1 == seen2
    assert seen1[0][0] == random.Random(3).random()  # Python's random is seeded with config.seed inside
    for a, b in zip(m1.state_dict().values(), m2.state_dict().values(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("clip", [0.05, 100.0])
def test_grad_clip_rescales_the_gradient_to_the_given_norm(clip: float) -> None:
    """One full-batch SGD step with lr = 1 moves θ by exactly −g · min(1, c / ‖g‖)."""
    X, y = moons(32, seed=0)
    model = small_mlp(dtype=torch.float64)
    X = X.double()
    before = [p.detach().clone() for p in model.parameters()]
    F.cross_entropy(model(X), y).backward()
    g = [p.grad.clone() for p in model.parameters() if p.grad is not None]
    norm = torch.sqrt(sum((gi**2).sum() for gi in g))
    assert norm > 0.05  # the small clip acts, the large one does not
    fit(model, (X, y), loss_fn=F.cross_entropy, optimizer=SGD(model.parameters(), lr=1.0),
        config=FitConfig(num_epochs=1, batch_size=32, grad_clip=clip))
    scale = min(1.0, clip / norm.item())
    for p, p0, gi in zip(model.parameters(), before, g, strict=True):
        torch.testing.assert_close(p.detach() - p0, -scale * gi)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_a_non_finite_loss_names_the_epoch_and_batch(bad: float) -> None:
    X, y = moons(32, seed=0)  # batch_size 4: 8 batches per epoch, so call 23 is epoch 3, batch 7
    calls = 0

    def flaky_loss(y_hat: Tensor, y: Tensor) -> Tensor:
        nonlocal calls
        calls += 1
        loss = F.cross_entropy(y_hat, y)
        return loss * bad if calls == 23 else loss

    with pytest.raises(FloatingPointError, match=f"loss became {bad} at epoch 3, batch 7"):
        fit(small_mlp(), (X, y), loss_fn=flaky_loss, config=FitConfig(num_epochs=5, batch_size=4))


def test_devices_are_checked_before_training() -> None:
    X, y = moons(32, seed=0)
    with pytest.raises(ValueError, match=r"model's parameters are on meta but training runs on cpu"):
        fit(small_mlp().to("meta"), (X, y), loss_fn=F.cross_entropy, config=FitConfig(device="cpu"))
    with pytest.raises(ValueError, match="X on cpu and y on meta"):
        fit(small_mlp(), (X, y.to("meta")), loss_fn=F.cross_entropy, config=FitConfig(device="cpu"))
    with pytest.raises(ValueError, match="the data are on meta but training runs on cpu"):
        fit(small_mlp(), (X, y), loss_fn=F.cross_entropy, val_data=(X.to("meta"), y.to("meta")),
            config=FitConfig(device="cpu"))


def test_bad_sizes_and_options_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = moons(32, seed=0)
    with pytest.raises(ValueError, match=r"batch_size=64 is larger than the training set \(32 examples\)"):
        fit(small_mlp(), (X, y), loss_fn=F.cross_entropy, config=FitConfig(batch_size=64))
    with pytest.raises(ValueError, match="as many rows, got 32 and 31"):
        fit(small_mlp(), (X, y[:-1]), loss_fn=F.cross_entropy)
    monkeypatch.setenv("WORLD_SIZE", "2")  # refused before any process group is started
    with pytest.raises(ValueError, match="batch_size=5 is the global batch and must split evenly over 2"):
        fit(small_mlp(), (X, y), loss_fn=F.cross_entropy, config=FitConfig(batch_size=5))
    for options in ({"num_epochs": 0}, {"batch_size": 2.0}, {"lr": float("nan")}, {"grad_clip": 0.0},
                    {"seed": -1}, {"device": "tpu"}):
        with pytest.raises(ValueError, match="FitConfig expects"):
            FitConfig(**options)  # type: ignore[arg-type]


def test_mixed_precision_is_ignored_with_a_warning_on_the_cpu() -> None:
    X, y = moons(32, seed=0)
    with pytest.warns(UserWarning, match="mixed_precision is ignored on cpu"):
        fit(small_mlp(), (X, y), loss_fn=F.cross_entropy,
            config=FitConfig(num_epochs=1, batch_size=8, device="cpu", mixed_precision=True))


DDP_SCRIPT = """
    import os, sys, torch, torch.nn.functional as F
    from dlbook.datasets import moons
    from dlbook.mlp import MLP
    from dlbook.optim import SGD
    from dlbook.train import FitConfig, fit

    X, y = moons(96, seed=0)
    Xv, yv = moons(40, seed=1)
    model = MLP([2, 16, 16, 2], activation="tanh", generator=torch.Generator().manual_seed(0)).double()
    rows = 0

    def loss_fn(y_hat, y):
        global rows
        rows += len(y)  # each rank should see half of every batch
        return F.cross_entropy(y_hat, y)

    history = fit(model, (X.double(), y), loss_fn=loss_fn, optimizer=SGD(model.parameters(), lr=0.1),
                  val_data=(Xv.double(), yv), config=FitConfig(num_epochs=3, batch_size=24, shuffle=True))
    if torch.distributed.is_initialized():
        raise SystemExit("fit left the process group it started behind")
    out = {"state": model.state_dict(), "train_loss": history.train_loss, "rows": rows}
    torch.save(out, f"{sys.argv[1]}.{os.environ['RANK']}")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_processes_under_torchrun_match_one(tmp_path: Path) -> None:
    """2 ranks × 12 examples, gradients averaged by DDP, equal 1 process × 24: same weights and losses."""
    script = tmp_path / "train_ddp.py"
    script.write_text(textwrap.dedent(DDP_SCRIPT))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MASTER_ADDR": "127.0.0.1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_addr=127.0.0.1",
           f"--master_port={free_port()}", str(script), str(tmp_path / "out")]
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ranks = [torch.load(tmp_path / f"out.{r}", weights_only=True) for r in (0, 1)]

    X, y = moons(96, seed=0)
    Xv, yv = moons(40, seed=1)
    model = small_mlp(dtype=torch.float64)
    history = fit(model, (X.double(), y), loss_fn=F.cross_entropy, optimizer=SGD(model.parameters(), lr=0.1),
                  val_data=(Xv.double(), yv), config=FitConfig(num_epochs=3, batch_size=24, shuffle=True))
    for result in ranks:  # both ranks hold the same weights, equal to the single-process run's
        assert result["rows"] == 3 * (96 + 40) // 2  # half of the training and validation rows per epoch
        torch.testing.assert_close(result["state"], model.state_dict(), atol=1e-5, rtol=0)
        torch.testing.assert_close(result["train_loss"], history.train_loss, atol=1e-6, rtol=0)

"""Fixtures shared by the library tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(scope="module")
def one_thread() -> Iterator[None]:
    """Run a module's tiny tensor operations on one thread, then restore the count.

    On a busy 2-core machine, waking a second thread for an (8, 32) @ (32, 2) product can
    cost more than 20 ms, which makes a training test or a gradcheck tens of times slower.
    A module opts in with ``pytestmark = pytest.mark.usefixtures("one_thread")``.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)

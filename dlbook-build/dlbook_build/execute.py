"""Run a chapter's code cells in a fresh Jupyter kernel, one cell at a time.

Each cell gets a timeout; the first cell that raises (or times out, or kills the
kernel) stops the run with a :class:`ChapterError` that names the page, the cell
number and the traceback, so an author sees exactly what broke.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class ChapterError(Exception):
    """A chapter failed to execute; the message is meant for the author."""

    def __init__(self, page: str, cell: int, source: str, detail: str) -> None:
        self.page, self.cell, self.source, self.detail = page, cell, source, detail
        first = next((line for line in source.splitlines() if line.strip()), "")
        super().__init__(
            f"{page}: code cell {cell} failed (it starts with: {first.strip()!r})\n{detail}"
        )


@dataclass(frozen=True)
class Run:
    """The outcome of executing a chapter."""

    notebook: nbformat.NotebookNode
    cells: int  # code cells executed
    seconds: float


def _traceback(cell: nbformat.NotebookNode) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return _ANSI.sub("", "\n".join(output.get("traceback", [])))
    return ""


def execute_chapter(
    nb: nbformat.NotebookNode,
    *,
    page: str,
    cwd: Path,
    timeout: int,
    env: dict[str, str] | None = None,
    kernel_name: str = "python3",
) -> Run:
    """Execute every code cell of ``nb`` (in place) with ``cwd`` as working directory.

    ``timeout`` is in seconds per cell; ``env`` adds to the kernel's environment.
    Raises :class:`ChapterError` on the first failing cell.
    """
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel_name,
        allow_errors=False,
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    kernel_env = {**os.environ, **(env or {})}
    executed = _run_cells(client, nb, page=page, timeout=timeout, env=kernel_env, cwd=cwd)
    return Run(notebook=nb, cells=executed, seconds=time.perf_counter() - start)


def _run_cells(
    client: NotebookClient, nb: nbformat.NotebookNode, *, page: str, timeout: int,
    env: dict[str, str], cwd: Path,
) -> int:
    executed = 0
    # The kernel process's own stderr holds only its housekeeping (transport notices,
    # shutdown noise); what the cells print reaches the notebook through IOPub.
    with client.setup_kernel(env=env, cwd=str(cwd), stderr=subprocess.DEVNULL):
        number = 0
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            number += 1
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                raise ChapterError(
                    page, number, cell.source,
                    f"the cell ran longer than its {timeout} s timeout "
                    "(raise it with `dlbook: {timeout: N}` in the chapter's header)",
                ) from None
            except CellExecutionError as err:
                raise ChapterError(page, number, cell.source, _traceback(cell) or str(err)) from None
            except DeadKernelError as err:
                raise ChapterError(page, number, cell.source, f"the kernel died: {err}") from None
            executed += 1
    return executed

"""Fixtures of the chapters' own tests; each test module names its chapter ``CHAPTER``."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def page(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The namespace the chapter's page leaves, every code cell run in order (once: ``Chapter.run``)."""
    return request.module.CHAPTER.run().namespace

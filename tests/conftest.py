"""Shared test setup: make tests/ importable for helpers such as book_project."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

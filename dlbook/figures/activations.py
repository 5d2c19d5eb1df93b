"""Trained figures for docs/neurons/ (being written)."""

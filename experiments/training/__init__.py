"""Experiments of the chapters in docs/training/."""

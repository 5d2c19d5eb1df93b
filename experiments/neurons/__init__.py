"""Experiments of the chapters in docs/neurons/."""

"""Experiments of the chapters in docs/architectures/."""

"""dlbook: the reference PyTorch implementations behind the executable deep-learning textbook.

Every code cell of the book imports from here, so what a reader sees run on a page is
exactly what they can ``pip install`` and reuse. Submodules are loaded on first use
(PEP 562), so ``import dlbook`` stays cheap and a chapter depends only on the modules
it actually touches.

>>> from dlbook import seed_everything, get_device
>>> seed_everything(0)
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> submodule that defines it
_EXPORTS = {
    "seed_everything": "dlbook.utils",
    "get_device": "dlbook.utils",
    "device_kind": "dlbook.utils",
    "atomic_write": "dlbook.utils",
    "numerical_derivative": "dlbook.calculus",
    "numerical_gradient": "dlbook.calculus",
    "matmul": "dlbook.calculus",
    "Milestone": "dlbook.plot",
    "timeline": "dlbook.plot",
    "scatter_classes": "dlbook.regions",
    "decision_regions": "dlbook.regions",
    "learning_curves": "dlbook.plot",
    "learning_curves_legend": "dlbook.plot",
    "CLASS_COLORS": "dlbook.palette",
    "class_color": "dlbook.palette",
    "contrast_ratio": "dlbook.palette",
    "Perceptron": "dlbook.perceptron",
    "PerceptronHistory": "dlbook.perceptron",
    "perceptron_output": "dlbook.perceptron",
    "augmented_margin": "dlbook.perceptron",
    "augmented_radius": "dlbook.perceptron",
    "mistake_bound": "dlbook.perceptron",
    "sigmoid": "dlbook.activations",
    "relu": "dlbook.activations",
    "leaky_relu": "dlbook.activations",
    "softmax": "dlbook.activations",
    "softplus": "dlbook.activations",
    "ACTIVATIONS": "dlbook.activations",
    "get_activation": "dlbook.activations",
    "Dense": "dlbook.mlp",
    "MLP": "dlbook.mlp",
    "dead_fraction": "dlbook.mlp",
    "mse": "dlbook.losses",
    "binary_cross_entropy": "dlbook.losses",
    "binary_cross_entropy_with_logits": "dlbook.losses",
    "log_softmax": "dlbook.losses",
    "cross_entropy": "dlbook.losses",
    "naive_cross_entropy": "dlbook.losses",
    "blobs": "dlbook.datasets",
    "xor": "dlbook.datasets",
    "moons": "dlbook.datasets",
    "circles": "dlbook.datasets",
    "spirals": "dlbook.datasets",
    "pass_exam": "dlbook.datasets",
    "digits": "dlbook.datasets",
    "tilted_blobs": "dlbook.datasets",
    "Value": "dlbook.autograd",
    "linear_forward": "dlbook.backprop",
    "linear_backward": "dlbook.backprop",
    "activation_forward": "dlbook.backprop",
    "activation_backward": "dlbook.backprop",
    "mse_backward": "dlbook.backprop",
    "mlp_forward_backward": "dlbook.backprop",
    "params_from_mlp": "dlbook.backprop",
    "activations_from_mlp": "dlbook.backprop",
    "sgd_step": "dlbook.backprop",
    "trace_perceptron": "dlbook.trace",
    "trace_two_layer": "dlbook.trace",
    "trace_gradient_descent": "dlbook.trace",
    "PerceptronTrace": "dlbook.trace",
    "NetworkTrace": "dlbook.trace",
    "GradientDescentTrace": "dlbook.trace",
    "SGD": "dlbook.optim",
    "RMSProp": "dlbook.optim",
    "Adam": "dlbook.optim",
    "AdamW": "dlbook.optim",
    "step_lr": "dlbook.schedules",
    "cosine_lr": "dlbook.schedules",
    "linear_warmup": "dlbook.schedules",
    "warmup_cosine": "dlbook.schedules",
    "as_lr_lambda": "dlbook.schedules",
    "quadratic": "dlbook.surfaces",
    "rosenbrock": "dlbook.surfaces",
    "loss_grid": "dlbook.surfaces",
    "optimizer_path": "dlbook.surfaces",
    "line_data": "dlbook.surfaces",
    "line_loss": "dlbook.surfaces",
    "fit": "dlbook.train",
    "accuracy": "dlbook.metrics",
    "binary_accuracy": "dlbook.metrics",
    "FitConfig": "dlbook.train",
    "History": "dlbook.train",
    "Callback": "dlbook.callbacks",
    "EarlyStopping": "dlbook.callbacks",
    "Checkpoint": "dlbook.callbacks",
    "dropout": "dlbook.regularization",
    "Dropout": "dlbook.regularization",
    "DropoutMLP": "dlbook.regularization",
    "l2_penalty": "dlbook.regularization",
    "decay_weights_": "dlbook.regularization",
    "random_shift_rotate": "dlbook.augment",
    "RandomShiftRotate": "dlbook.augment",
    "train_val_test_split": "dlbook.splits",
    "digit_splits": "dlbook.splits",
    "mcnemar_exact": "dlbook.compare",
    "paired_bootstrap": "dlbook.compare",
    "scaled_dot_product_attention": "dlbook.attention",
    "causal_mask": "dlbook.attention",
    "kernel_regression": "dlbook.attention",
    "MultiHeadAttention": "dlbook.attention",
    "sinusoidal_encoding": "dlbook.positional",
    "SinusoidalPositions": "dlbook.positional",
    "LearnedPositions": "dlbook.positional",
    "FeedForward": "dlbook.transformer",
    "TransformerBlock": "dlbook.transformer",
    "TransformerEncoder": "dlbook.transformer",
    "GPT": "dlbook.gpt",
    "GPTConfig": "dlbook.gpt",
    "parameter_count": "dlbook.gpt",
    "KVCache": "dlbook.kv_cache",
    "LayerCache": "dlbook.kv_cache",
    "Recompute": "dlbook.kv_cache",
    "generate_ids": "dlbook.kv_cache",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'dlbook' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

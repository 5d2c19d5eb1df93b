"""ForwardPass: the 2-2-1 network computes its hidden values, then its prediction.

The lecture's network (dlbook.trace.trace_two_layer's defaults): inputs 2 and 3, six
weights, a linear hidden layer. Each unit's value flows in along its edges and lands in
its circle, next to the formula that computes it. Taught in docs/training/backpropagation.py.
"""

from __future__ import annotations

from manim import FadeIn, ShowPassingFlash, TransformFromCopy

from animations.common import style
from animations.common.two_layer import TwoLayerScene, caption, forward_keys


class ForwardPass(TwoLayerScene):
    """Hidden values appear, then the prediction ŷ."""

    @classmethod
    def steps(cls) -> list[str]:
        t = cls.trace()
        return [cls.intro(), *(caption(t, *keys) for keys in forward_keys(t))]  # network, h1, h2, ŷ

    @classmethod
    def expected_numbers(cls) -> dict[str, float]:
        t = cls.trace()
        pre = {} if t.activation == "linear" else {"z1": t.z1, "z2": t.z2}  # g(z) shows z too
        return {**cls.network_numbers(), **pre, "h1": t.h1, "h2": t.h2, "y_hat": t.y_hat}

    def flow_into(self, name: str) -> None:
        """Values flash along the edges into neuron ``name``."""
        flashes = [ShowPassingFlash(e.arrow.copy().set_stroke(style.VALUE, width=style.HIGHLIGHT_WIDTH),
                                    time_width=0.6) for e in self.net.into(name)]
        self.play(*flashes, run_time=style.SHORT)

    def construct(self) -> None:
        t = self.trace()

        # Step 0: the network, its inputs and its weights
        self.begin_step(0)
        self.play(FadeIn(self.build_network(t)), run_time=style.SHORT)
        self.wait(style.READ)

        # Steps 1 and 2: each hidden unit sums its weighted inputs
        for j in (1, 2):
            self.begin_step(j)
            formula = self.hidden_formula(t, j)
            self.show_formula(formula)
            self.flow_into(f"h{j}")
            value = self.net.neurons[f"h{j}"].value_spot(self.number(f"h{j}", t.h1 if j == 1 else t.h2))
            self.play(TransformFromCopy(formula.slots[f"h{j}"], value), run_time=style.MEDIUM)
            self.wait(style.READ)

        # Step 3: the output sums the hidden values into the prediction ŷ
        self.begin_step(3)
        formula = self.output_formula(t)
        self.show_formula(formula)
        self.flow_into("y_hat")
        y_hat = self.net.neurons["y_hat"].value_spot(self.number("y_hat", t.y_hat))
        self.play(TransformFromCopy(formula.slots["y_hat"], y_hat), run_time=style.MEDIUM)
        self.wait(style.READ)

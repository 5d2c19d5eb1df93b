"""BackwardPass: the error flows back through the 2-2-1 network, and every weight takes a step.

The lecture's network after its forward pass (dlbook.trace.trace_two_layer): the error
δ = ŷ − y against the target, the gradients of w5 and w6, then through the hidden
units those of w1..w4 by the chain rule, collected in a table; the update
w ← w − η·∂L/∂w fills the table's last column, and the forward pass with the new
weights lands closer to the target. Taught in docs/training/backpropagation.py.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    ShowPassingFlash,
    Transform,
    TransformFromCopy,
    VGroup,
)

from animations.common import style
from animations.common.base import Num
from animations.common.objects import Formula, label, tag
from animations.common.two_layer import TwoLayerScene, caption
from dlbook.trace import WIRING, NetworkTrace

COLUMNS = {"name": 2.6, "w": 3.65, "grad": 5.0, "new": 6.4}  # x of each table column
TOP = 2.75  # y of the table's header row
ROW = 0.56  # height of a table row


class BackwardPass(TwoLayerScene):
    """Gradients of the loss flow back from ŷ, then one step of gradient descent."""

    network_center = np.array([-2.55, 0.7, 0.0])
    network_width = 6.4
    network_height = 4.0
    radius = 0.6

    @classmethod
    def steps(cls) -> list[str]:
        t = cls.trace()
        into_hidden = ["grad_h1", "grad_h2"] if t.activation == "linear" else [
            "grad_h1", "grad_z1", "grad_h2", "grad_z2"]  # through g'(z) unless linear
        return [
            caption(t, "y_hat", "delta", "loss"),  # the error at the output
            caption(t, "grad_w5", "grad_w6"),  # the output weights
            caption(t, *into_hidden),  # back into the hidden units
            caption(t, "grad_w1", "grad_w2"),  # the chain rule, through h1
            caption(t, "grad_w3", "grad_w4"),  # and through h2
            caption(t, "w5_new", "w6_new"),  # the update
            caption(t, "w1_new", "w2_new", "w3_new", "w4_new"),
            caption(t, "loss_new"),  # the forward pass again
        ]

    @classmethod
    def expected_numbers(cls) -> dict[str, float]:
        t = cls.trace()
        through = {} if t.activation == "linear" else {"grad_z1": t.grad_z1, "grad_z2": t.grad_z2}
        return {
            **cls.network_numbers(), "h1": t.h1, "h2": t.h2, "y_hat": t.y_hat,  # after the forward pass
            "y": t.target, "delta": t.delta, "loss": t.loss, "lr": t.lr,
            "grad_h1": t.grad_h1, "grad_h2": t.grad_h2, **through,
            **{f"grad_{k}": t.grads[k] for k in WIRING},
            **{f"{k}_new": t.new_weights[k] for k in WIRING},
            "h1_new": t.new_h1, "h2_new": t.new_h2, "y_hat_new": t.new_y_hat, "loss_new": t.new_loss,
        }

    # --- The table of weights, gradients and new weights ---------------------------------

    def cell(self, k: str, column: str, mob: VGroup | Formula) -> VGroup | Formula:
        """Move ``mob`` into the table: row of weight ``k``, column ``column``."""
        row = list(WIRING).index(k) + 1
        return mob.move_to(np.array([COLUMNS[column], TOP - row * ROW, 0.0]))

    def table(self, t: NetworkTrace) -> VGroup:
        """The table's header, its row names and its first column, the weights."""
        header = VGroup(*(label(text, font_size=style.SMALL_SIZE).move_to(np.array([COLUMNS[c], TOP, 0.0]))
                          for c, text in (("w", "w"), ("grad", "dL/dw"), ("new", "new w"))))
        names = [self.cell(k, "name", label(k, font_size=style.SMALL_SIZE)) for k in WIRING]
        values = [self.cell(k, "w", self.number(k, v, color=style.WEIGHT, font_size=style.SMALL_SIZE))
                  for k, v in t.weights.items()]
        return VGroup(header, *names, *values)

    def gradient_rows(self, t: NetworkTrace, *ks: str) -> None:
        """Gradients of weights ``ks`` fly from the formula into the table as they flash back."""
        assert self._formula is not None
        slots = {key: mob for line in self._formula for key, mob in line.slots.items()}
        cells = [self.cell(k, "grad", self.number(f"grad_{k}", t.grads[k], color=style.GRADIENT,
                                                  font_size=style.SMALL_SIZE)) for k in ks]
        self.play(*self.flashes_back(*ks),
                  *(TransformFromCopy(slots[f"grad_{k}"], c) for k, c in zip(ks, cells, strict=True)),
                  run_time=style.MEDIUM)

    def flashes_back(self, *ks: str) -> list[ShowPassingFlash]:
        """The gradient flashing backwards along the edges of weights ``ks``."""
        flashes = []
        for k in ks:
            arrow = self.net.edges[k].arrow
            back = arrow.copy().put_start_and_end_on(arrow.get_end(), arrow.get_start())
            flashes.append(ShowPassingFlash(back.set_stroke(style.GRADIENT, width=style.HIGHLIGHT_WIDTH),
                                            time_width=0.6))
        return flashes

    # --- Formulas ----------------------------------------------------------------------------

    def weight_gradient(self, t: NetworkTrace, k: str) -> Formula:
        """``∂L/∂w₅ = δ·h₁ = (−0.809)·0.85 = −0.6876``, or through a hidden unit for w1..w4."""
        src, dst = WIRING[k]
        if dst == "y_hat":
            upstream, up_key, up_value = "δ", "delta", t.delta
            src_value = t.h1 if src == "h1" else t.h2
        else:
            j = dst[1]
            pre = "h" if t.activation == "linear" else "z"  # linear: ∂L/∂z = ∂L/∂h
            upstream, up_key = style.symbol(f"dL/d{pre}{j}"), f"grad_{pre}{j}"
            up_value = t.grad_z1 if j == "1" else t.grad_z2
            src_value = t.x[0] if src == "x1" else t.x[1]
        return self.formula(f"{style.symbol('dL/d' + k)} = {upstream}·{style.symbol(src)} = ",
                            Num(up_key, up_value, color=style.GRADIENT, operand=True), "·",
                            Num(src, src_value, operand=True), " = ",
                            Num(f"grad_{k}", t.grads[k], color=style.GRADIENT))

    def update(self, t: NetworkTrace, k: str) -> Formula:
        """``w₅ ← w₅ − η·∂L/∂w₅ = 0.14 − 0.05·(−0.6876) = 0.1744``."""
        w, d = style.symbol(k), style.symbol("dL/d" + k)
        return self.formula(f"{w} ← {w} − η·{d} = ", Num(k, t.weights[k], color=style.WEIGHT), " − ",
                            Num("lr", t.lr, color=style.WEIGHT), "·",
                            Num(f"grad_{k}", t.grads[k], color=style.GRADIENT, operand=True), " = ",
                            Num(f"{k}_new", t.new_weights[k], color=style.UPDATE),
                            font_size=style.SMALL_SIZE + 2)

    def apply_updates(self, t: NetworkTrace, *ks: str) -> None:
        """New weights fill the table and replace the labels on the edges."""
        cells = [self.cell(k, "new", self.number(f"{k}_new", t.new_weights[k], color=style.UPDATE,
                                                 font_size=style.SMALL_SIZE)) for k in ks]
        labels = [self.place_weight(k, self.weight_label(k, t.new_weights[k], key=f"{k}_new",
                                                         color=style.UPDATE)) for k in ks]
        self.play(*(FadeIn(c, shift=0.2 * RIGHT) for c in cells),
                  *(Transform(self.weights[k], new) for k, new in zip(ks, labels, strict=True)),
                  run_time=style.MEDIUM)

    def construct(self) -> None:
        t = self.trace()

        # Step 0: the network after its forward pass, the target, and the error δ = ŷ − y
        self.begin_step(0)
        values = {name: self.number(name, v) for name, v in (("h1", t.h1), ("h2", t.h2), ("y_hat", t.y_hat))}
        target = self.formula("y = ", Num("y", t.target, color=style.TARGET), font_size=style.LABEL_SIZE)
        network = self.build_network(t)
        for name, value in values.items():
            self.net.neurons[name].value_spot(value)
        target.next_to(self.net.neurons["y_hat"].circle, UP, buff=0.2)
        self.play(FadeIn(VGroup(network, *values.values(), target, self.table(t))), run_time=style.SHORT)
        delta_operand = Num("delta", t.delta, color=style.GRADIENT, operand=True)
        error = self.formula("δ = ŷ − y = ", Num("y_hat", t.y_hat), " − ",
                             Num("y", t.target, color=style.TARGET), " = ",
                             Num("delta", t.delta, color=style.GRADIENT))
        loss = self.formula("L = ½·δ² = ½·", delta_operand, "² = ", Num("loss", t.loss, color=style.TARGET))
        self.show_formula(error, loss)
        delta = self.formula("δ = ", Num("delta", t.delta, color=style.GRADIENT), font_size=style.SMALL_SIZE)
        self.net.neurons["y_hat"].beside(delta, DOWN)
        self.play(TransformFromCopy(error.slots["delta"], delta), run_time=style.MEDIUM)
        self.wait(style.READ)

        # Step 1: the output weights, ∂L/∂w = δ · (the value the weight multiplied)
        self.begin_step(1)
        self.show_formula(self.weight_gradient(t, "w5"), self.weight_gradient(t, "w6"))
        self.gradient_rows(t, "w5", "w6")
        self.wait(style.READ)

        # Step 2: back into the hidden units, ∂L/∂h = δ · (the weight out of h)
        self.begin_step(2)
        lines = [self.formula(f"{style.symbol(f'dL/dh{j}')} = δ·{style.symbol(w)} = ",
                              Num("delta", t.delta, color=style.GRADIENT, operand=True), "·",
                              Num(w, t.weights[w], color=style.WEIGHT, operand=True), " = ",
                              Num(f"grad_h{j}", g, color=style.GRADIENT))
                 for j, w, g in ((1, "w5", t.grad_h1), (2, "w6", t.grad_h2))]
        self.show_formula(*lines)
        tags = [tag(self.number(f"grad_h{j}", g, color=style.GRADIENT, font_size=style.SMALL_SIZE))
                for j, g in ((1, t.grad_h1), (2, t.grad_h2))]
        tags[0].next_to(self.net.neurons["h1"].title, RIGHT, buff=0.15)  # above the network
        self.net.neurons["h2"].beside(tags[1], DOWN)  # below it
        self.add(*(g_tag[0] for g_tag in tags))  # the patches first, so only the numbers fly
        self.play(*self.flashes_back("w5", "w6"),
                  *(TransformFromCopy(line.slots[f"grad_h{j}"], g_tag[1])
                    for j, (line, g_tag) in enumerate(zip(lines, tags, strict=True), 1)),
                  run_time=style.MEDIUM)
        self.wait(style.READ)

        # Steps 3 and 4: the chain rule, through h1 to w1, w2 and through h2 to w3, w4
        for step, pair in ((3, ("w1", "w2")), (4, ("w3", "w4"))):
            self.begin_step(step)
            self.show_formula(*(self.weight_gradient(t, k) for k in pair))
            self.gradient_rows(t, *pair)
            self.wait(style.READ)

        # Steps 5 and 6: every weight steps against its gradient, w ← w − η·∂L/∂w
        self.begin_step(5)
        self.show_formula(self.update(t, "w5"), self.update(t, "w6"))
        self.apply_updates(t, "w5", "w6")
        self.wait(style.READ)
        self.begin_step(6)
        self.show_formula(self.formula("w₁…w₄ ← w − η·∂L/∂w,  η = ", Num("lr", t.lr, color=style.WEIGHT)))
        self.apply_updates(t, "w1", "w2", "w3", "w4")
        self.wait(style.READ)

        # Step 7: the forward pass again, with the new weights: ŷ moves towards y
        self.begin_step(7)
        new = self.formula("new ŷ = ", Num("y_hat_new", t.new_y_hat, color=style.UPDATE), ",  was ",
                           Num("y_hat", t.y_hat), ";  y = ", Num("y", t.target, color=style.TARGET))
        new_loss = self.formula("new L = ", Num("loss_new", t.new_loss, color=style.UPDATE), ",  was ",
                                Num("loss", t.loss, color=style.TARGET))
        self.show_formula(new, new_loss)
        after = {name: self.net.neurons[name].value_spot(self.number(f"{name}_new", v, color=style.UPDATE))
                 for name, v in (("h1", t.new_h1), ("h2", t.new_h2), ("y_hat", t.new_y_hat))}
        self.play(*(Transform(values[name], after[name]) for name in after), FadeOut(delta),
                  run_time=style.MEDIUM)
        self.wait(style.READ)

"""Student-written Keras cells for the grader's tests: the slides' equations written the way a
student would (slide-notation weights, ``keras.ops``), each able to plant one mistake.

``StudentCell(units, family, bug=None)``: ``bug`` names the planted mistake (see ``BUGS``).
"""

import keras
from keras import ops

GATES = {"simple_rnn": "a", "simplified_gru": "uc", "gru": "urc", "lstm": "ufco"}


class StudentCell(keras.layers.Layer):
    def __init__(self, units, family, bug=None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.family, self.bug = units, family, bug
        self.state_size = [units, units] if family == "lstm" else units

    def build(self, input_shape):
        width = self.units + input_shape[-1]
        for g in GATES[self.family]:
            setattr(self, f"W_{g}", self.add_weight(name=f"W_{g}", shape=(self.units, width)))
            if not (self.bug == "missing_bias" and g == "c") and \
                    not (self.bug == "missing_bias" and self.family == "simple_rnn"):
                # zero-initialised, as Keras does: only random biases can catch a missing one
                setattr(self, f"b_{g}", self.add_weight(name=f"b_{g}", shape=(self.units,),
                                                        initializer="zeros"))

    def term(self, g, a, x):
        """W_g [a, x] + b_g, as the student wrote it."""
        W = getattr(self, f"W_{g}")
        n = self.units
        W_a, W_x = W[:, :n], W[:, n:]
        if self.bug == "concat_order":
            concat = ops.concatenate([x, a], axis=-1)
            z = ops.matmul(concat, ops.transpose(W))
        else:
            if self.bug == "transposed_weights":
                W_a = ops.transpose(W_a)
            recurrent = 0 if (self.bug == "recurrent_term_missing" and g == GATES[self.family][0]) \
                else ops.matmul(a, ops.transpose(W_a))
            inputs = 0 if (self.bug == "input_term_missing" and g == GATES[self.family][-1]) \
                else ops.matmul(x, ops.transpose(W_x))
            z = recurrent + inputs
        b = getattr(self, f"b_{g}", None)
        return z if b is None else z + b

    def call(self, x, states):
        if self.bug == "raises":
            raise NotImplementedError("write the cell")
        a_prev = states[0]
        sig, tanh = ops.sigmoid, ops.tanh
        if self.bug == "wrong_activation":
            sig, tanh = ops.tanh, ops.sigmoid
        if self.family == "simple_rnn":
            a = tanh(self.term("a", a_prev, x))
            new = [a]
        elif self.family == "lstm":
            c_prev = states[1]
            u_w, f_w = ("f", "u") if self.bug == "gates_swapped" else ("u", "f")
            candidate = tanh(self.term("c", a_prev, x))
            update = sig(self.term(u_w, a_prev, x))
            forget = 1 - update if self.bug == "forget_gate_coupled" else sig(self.term(f_w, a_prev, x))
            output = sig(self.term("o", a_prev, x))
            c = update * candidate + forget * c_prev
            a = output * (c if self.bug == "missing_cell_tanh" else ops.tanh(c))
            new = [a, c]
        else:
            u_w, r_w = ("r", "u") if self.bug == "gates_swapped" else ("u", "r")
            update = sig(self.term(u_w, a_prev, x))
            if self.family == "gru":
                relevance = sig(self.term(r_w, a_prev, x))
                if self.bug == "relevance_gate_misplaced":   # Γ_r after the matmul
                    n = self.units
                    recurrent = ops.matmul(a_prev, ops.transpose(self.W_c[:, :n]))
                    inputs = ops.matmul(x, ops.transpose(self.W_c[:, n:])) + self.b_c
                    candidate = tanh(inputs + relevance * recurrent)
                else:
                    candidate = tanh(self.term("c", relevance * a_prev, x))
            else:
                candidate = tanh(self.term("c", a_prev, x))
            if self.bug == "update_gate_inverted":
                c = (1 - update) * candidate + update * a_prev
            elif self.bug == "outside_catalogue":
                c = update * candidate + (1 - update) * a_prev * 0.5
            else:
                c = update * candidate + (1 - update) * a_prev
            a, new = c, [c]
        if self.bug == "state_not_updated":
            return a, list(states)
        if self.bug == "stop_gradient":
            a = ops.stop_gradient(a)
            new = [ops.stop_gradient(s) for s in new]
        return a, new

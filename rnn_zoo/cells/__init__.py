"""The cells of the slides as Keras layers: the vanilla RNN, the simplified and full GRU, the LSTM
and the manual two-step RNN (``base`` holds what they share), ``scan`` (the same cells unrolled
by a scan) and ``registry`` (each cell's name, layer and built-in twin)."""

"""Language models on one interface (``interface``): the n-gram baseline (``ngram``), the
fixed-window MLP (``window``), the RNN language model (``rnn``), sampling and beam search
(``sampling``), the class-conditioned model (``conditioned``) and the interpolation of any of
them (``mixture``)."""

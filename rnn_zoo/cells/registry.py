"""The one table of recurrent cells: each name the library, the CLI and the studies accept, its zoo
layer and its Keras built-in twin (``None`` where Keras has none), and
:func:`recurrent_stack`, the Embedding → stacked (bidirectional) recurrent layers every text model
builds on."""

import functools
from dataclasses import dataclass

NAMES = ("simple_rnn", "simplified_gru", "gru", "lstm")
"""Every cell name, in the order the slides teach them (the CLI's ``--cell`` choices; known
without importing Keras)."""


@dataclass(frozen=True)
class Cell:
    name: str
    zoo: type
    builtin: type | None
    """Keras's own layer for the same equations (the simplified GRU has none)."""


@functools.cache
def cells():
    """``{name: Cell}`` for every name in :data:`NAMES`."""
    import keras

    from rnn_zoo.cells.gru import GRU, SimplifiedGRU
    from rnn_zoo.cells.lstm import LSTM
    from rnn_zoo.cells.simple_rnn import SimpleRNN

    table = (Cell("simple_rnn", SimpleRNN, keras.layers.SimpleRNN),
             Cell("simplified_gru", SimplifiedGRU, None),
             Cell("gru", GRU, keras.layers.GRU),
             Cell("lstm", LSTM, keras.layers.LSTM))
    assert tuple(c.name for c in table) == NAMES
    return {c.name: c for c in table}


def layer_class(cell, builtin=False, name="cell"):
    """The recurrent layer class for the cell name ``cell``: the zoo's, or Keras's twin when
    ``builtin`` (refused, naming ``name``, for a cell that Keras does not have)."""
    from rnn_zoo import checks

    spec = cells()[checks.choice(name, cell, NAMES)]
    if not checks.boolean("builtin", builtin):
        return spec.zoo
    if spec.builtin is None:
        builtins = tuple(n for n, c in cells().items() if c.builtin is not None)
        raise ValueError(f"`{name}` must be one of {builtins} with builtin=True (Keras has no "
                         f"{cell}); received {name}={cell!r}")
    return spec.builtin


def recurrent_stack(ids, *, vocabulary_size, embedding_dim, cell, units, layers=1,
                    bidirectional=False, return_sequences=True, input_dropout=0.0,
                    dropout_layers=0.0, embedding_dropout=0.0, mask_zero=True, stateful=False,
                    builtin=False, seed=None, prefix=None):
    """Embedding → ``layers`` recurrent layers of ``units`` units, the one builder of every
    text model's recurrent part; returns the last layer's output.

    * ``Embedding(vocabulary_size, embedding_dim, mask_zero=mask_zero)`` named ``embedding``,
      then ``SpatialDropout1D(embedding_dropout)`` (whole embedding dimensions) if set.
    * Each recurrent layer ``i`` (the zoo's ``cell``, or Keras's twin when ``builtin``) is named
      ``{prefix}_{i}`` (``prefix`` defaults to ``cell``) and wrapped in ``Bidirectional``
      (``bidirectional_{i}``) when ``bidirectional``. Its own ``dropout`` on its inputs is
      ``input_dropout`` (seed ``seed + i``, when ``seed`` is given); ``dropout_layers`` instead puts a ``Dropout`` layer
      (``dropout_{i}``) before it, as Zaremba et al. do between LSTM layers.
    * Every layer returns its whole sequence but the last, which does when ``return_sequences``.
    """
    import keras

    layer = layer_class(cell, builtin)
    x = keras.layers.Embedding(vocabulary_size, embedding_dim, mask_zero=mask_zero,
                               name="embedding")(ids)
    if embedding_dropout:
        x = keras.layers.SpatialDropout1D(embedding_dropout, seed=seed,
                                          name="embedding_dropout")(x)
    for i in range(layers):
        if dropout_layers:
            x = keras.layers.Dropout(dropout_layers, name=f"dropout_{i}")(x)
        rnn = layer(units, return_sequences=return_sequences or i < layers - 1,
                    dropout=input_dropout, seed=None if seed is None else seed + i, stateful=stateful,
                    name=f"{prefix or cell}_{i}")
        if bidirectional:
            rnn = keras.layers.Bidirectional(rnn, name=f"bidirectional_{i}")
        x = rnn(x)
    return x

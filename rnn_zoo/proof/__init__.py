"""The proof that the cells are Keras's: weight conversion both ways (``convert``), the
``rnn-zoo verify`` table (``verify``) and the NumPy twins of each cell's step (``numpy_steps``)."""

"""The ``rnn-zoo`` command (``main``), its shared options (``common``) and its language-model
(``lm``) and sentiment (``sentiment``) commands: thin calls into the library."""

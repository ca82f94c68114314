"""The training layer every zoo model shares: one fit loop (``fit``), one checkpoint directory
format (``checkpoints``: atomic, verified by a manifest, the two newest kept), the arrays of a
training state (``arrays``) and saving/loading any model through it (``saving``)."""

"""What training raises when it cannot go on (importable without Keras, for the CLI)."""


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite; the last good checkpoint is kept."""


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training; the last checkpoint is kept (``--resume`` continues it)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

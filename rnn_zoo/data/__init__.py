"""Corpora fetched as pinned, sha256-checked packages and cached (``datasets``), and text
preparation: vocabularies, tokens and windows (``text``)."""

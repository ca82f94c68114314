"""The other RNN shapes of the slides: many-to-one sentiment (``sentiment``), many-to-many
tagging (``tagging``) and the encoder-decoder (``seq2seq``)."""

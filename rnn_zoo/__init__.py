"""rnn_zoo: recurrent cells that read like the lecture slides, proven equal to Keras's built-ins."""

from rnn_zoo.convert import from_keras, to_keras
from rnn_zoo.gru import GRU, GRUCell, SimplifiedGRU, SimplifiedGRUCell
from rnn_zoo.lstm import LSTM, LSTMCell
from rnn_zoo.scan import scan_rnn
from rnn_zoo.simple_rnn import SimpleRNN, SimpleRNNCell
from rnn_zoo.two_step import TwoStepRNN

__all__ = [
    "SimpleRNNCell", "SimplifiedGRUCell", "GRUCell", "LSTMCell",
    "SimpleRNN", "SimplifiedGRU", "GRU", "LSTM",
    "TwoStepRNN", "scan_rnn", "from_keras", "to_keras",
]

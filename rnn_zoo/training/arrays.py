"""A network's whole training state as arrays: its weights, its optimizer's variables (Adam's
moments and step count) and the state of every seed generator (dropout masks), so that a
restored run draws exactly what the uninterrupted one would have."""

import numpy as np


def seed_generators(network):
    """Every ``keras.random.SeedGenerator`` of ``network``'s layers, in a fixed order."""
    return [generator for layer in network._flatten_layers(include_self=True)
            for generator in getattr(layer, "_seed_generators", [])]


def save(path, network, optimizer=None):
    """Write ``path`` (``.npz``): ``weight_i``, ``optimizer_i`` and ``seed_i`` arrays."""
    arrays = {f"weight_{i}": np.asarray(v) for i, v in enumerate(network.get_weights())}
    if optimizer is not None and optimizer.built:
        arrays.update({f"optimizer_{i}": np.asarray(v.numpy())
                       for i, v in enumerate(optimizer.variables)})
    arrays.update({f"seed_{i}": np.asarray(g.state.numpy())
                   for i, g in enumerate(seed_generators(network))})
    with open(path, "wb") as file:
        np.savez(file, **arrays)


def _group(arrays, prefix):
    names = sorted((n for n in arrays if n.startswith(prefix)), key=lambda n: int(n[len(prefix):]))
    return [arrays[n] for n in names]


def weights(path):
    """The network weights saved in ``path``, in the network's order."""
    with np.load(path) as data:
        return _group(dict(data), "weight_")


def load(path, network, optimizer=None, where=""):
    """Set ``network``'s weights (and ``optimizer``'s variables, but for its learning rate, which
    the caller set, and the seed generators' states, when given) from ``path``, the arrays of a
    verified checkpoint (:class:`rnn_zoo.training.checkpoints.Checkpoint` refuses non-finite
    ones). ``ValueError`` naming ``where`` if they do not fit the network."""
    with np.load(path) as data:
        arrays = dict(data)
    weights = _group(arrays, "weight_")
    expected = [tuple(w.shape) for w in network.weights]
    received = [tuple(w.shape) for w in weights]
    if received != expected:
        raise ValueError(f"{where} holds weights of shapes {received[:6]}... that do not fit the "
                         f"network it describes ({expected[:6]}...)")
    network.set_weights(weights)
    if optimizer is not None:
        values = _group(arrays, "optimizer_")
        if values:
            if not optimizer.built:
                optimizer.build(network.trainable_variables)
            if [v.shape for v in values] != [tuple(v.shape) for v in optimizer.variables]:
                raise ValueError(f"{where} holds optimizer state that does not fit "
                                 f"{type(optimizer).__name__}")
            for variable, value in zip(optimizer.variables, values):
                if variable.path.rsplit("/", 1)[-1] != "learning_rate":   # the caller's wins
                    variable.assign(value)
    seeds = _group(arrays, "seed_")
    generators = seed_generators(network)
    if len(seeds) == len(generators):
        for generator, value in zip(generators, seeds):
            generator.state.assign(value)

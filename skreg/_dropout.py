"""Inverted dropout masks drawn into preallocated buffers.

A mask entry is ``0`` for a dropped unit and ``1 / (1 - rate)`` for a kept one,
so the expected activation is unchanged and prediction needs no rescaling
(and nothing random).
"""

import numpy as np


def sample_mask(rng, rate, out):
    """Fill ``out`` with an inverted-dropout mask and return it.

    Parameters
    ----------
    rng : numpy.random.Generator
    rate : float
        The share of units dropped, in [0, 1).
    out : ndarray of float32 or float64
        Filled in place; its shape is the mask's.
    """
    rng.random(out=out, dtype=out.dtype)
    # Writing the comparison into the float buffer casts True/False to 1/0.
    np.greater_equal(out, rate, out=out)
    out *= 1.0 / (1.0 - rate)
    return out


def layer_rates(input_dropout, dropout, n_hidden):
    """Dropout rate of each layer's input: the features, then each hidden layer.

    ``dropout`` is a float (all hidden layers) or one float per hidden layer.
    """
    if np.ndim(dropout) == 0:
        hidden = [float(dropout)] * n_hidden
    else:
        hidden = [float(rate) for rate in dropout]
    return [float(input_dropout), *hidden]

"""Inverted dropout masks drawn into preallocated buffers.

A mask entry is ``0`` for a dropped unit and ``1 / (1 - p)`` for a kept one,
``p`` being the probability of a drop (the rate, to 16-bit resolution), so the
expected activation is unchanged and prediction needs no rescaling (and nothing
random).
"""

import numpy as np

_RESOLUTION = 2**16


def sample_mask(rng, rate, out):
    """Fill ``out`` with an inverted-dropout mask and return it.

    Units are dropped independently with probability ``rate`` rounded up to a
    multiple of ``2**-16``: each unit gets 16 random bits, 4 from every raw
    64-bit draw of the generator, which is several times faster than drawing
    one float per unit (the mask is a sizeable share of a training step). The
    kept units are scaled by ``1 / (1 - dropped probability)``.

    Parameters
    ----------
    rng : numpy.random.Generator
    rate : float
        The share of units dropped, in [0, 1).
    out : ndarray of float32 or float64
        Filled in place; its shape is the mask's.
    """
    size = out.size
    bits = rng.bit_generator.random_raw((size + 3) // 4).view(np.uint16)[:size]
    threshold = int(np.ceil(rate * _RESOLUTION))
    # Writing the comparison into the float buffer casts True/False to 1/0.
    np.greater_equal(bits.reshape(out.shape), threshold, out=out)
    out *= _RESOLUTION / (_RESOLUTION - threshold)
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

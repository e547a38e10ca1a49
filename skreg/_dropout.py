"""Inverted dropout masks drawn into preallocated buffers.

A mask entry is ``0`` for a dropped unit and ``1 / (1 - p)`` for a kept one,
``p`` being the probability of a drop (the rate, to 16-bit resolution), so the
expected activation is unchanged and prediction needs no rescaling (and nothing
random).
"""

import numpy as np

from skreg import _fused

_RESOLUTION = 2**16


def _unit_bits(rng, size):
    # 4 units from every raw 64-bit draw: see sample_mask.
    return rng.bit_generator.random_raw((size + 3) // 4).view(np.uint16)[:size]


def _threshold_and_scale(rate):
    threshold = int(np.ceil(rate * _RESOLUTION))
    return threshold, _RESOLUTION / (_RESOLUTION - threshold)


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
    bits = _unit_bits(rng, out.size)
    threshold, scale = _threshold_and_scale(rate)
    # Writing the comparison into the float buffer casts True/False to 1/0.
    np.greater_equal(bits.reshape(out.shape), threshold, out=out)
    out *= scale
    return out


def drop(rng, rate, X, mask, out):
    """Draw a mask into ``mask`` as ``sample_mask`` does; return ``X * mask``.

    The product is written into ``out``. ``X``, ``mask`` and ``out`` are dense
    and of one shape.
    """
    if _fused.dropout is not None and _fused.fusable(X, mask, out):
        # The same random bits and the same values, in one pass.
        threshold, scale = _threshold_and_scale(rate)
        _fused.dropout(_unit_bits(rng, mask.size), threshold, scale, X, mask, out)
        return out
    sample_mask(rng, rate, mask)
    return np.multiply(X, mask, out=out)


def layer_rates(input_dropout, dropout, n_hidden):
    """Dropout rate of each layer's input: the features, then each hidden layer.

    ``dropout`` is a float (all hidden layers) or one float per hidden layer.
    """
    if np.ndim(dropout) == 0:
        hidden = [float(dropout)] * n_hidden
    else:
        hidden = [float(rate) for rate in dropout]
    return [float(input_dropout), *hidden]

"""Dropout masks."""

import numpy as np
import pytest

from skreg._dropout import layer_rates, sample_mask


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mask_drops_the_rate_and_scales_the_rest(dtype):
    out = np.empty((400, 250), dtype=dtype)
    mask = sample_mask(np.random.default_rng(0), 0.3, out)
    assert mask is out and mask.dtype == dtype
    kept = mask != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.01)
    # The rate is applied with 16-bit resolution: 1 / 0.7 to within 1e-5.
    np.testing.assert_allclose(mask[kept], 1 / 0.7, rtol=1e-5)
    # Inverted dropout keeps the expected activation.
    assert mask.mean() == pytest.approx(1.0, abs=0.02)


def test_masks_are_reproducible_per_seed():
    a = sample_mask(np.random.default_rng(5), 0.5, np.empty((10, 10)))
    b = sample_mask(np.random.default_rng(5), 0.5, np.empty((10, 10)))
    c = sample_mask(np.random.default_rng(6), 0.5, np.empty((10, 10)))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_layer_rates():
    assert layer_rates(0.1, 0.2, 3) == [0.1, 0.2, 0.2, 0.2]
    assert layer_rates(0.0, (0.1, 0.5), 2) == [0.0, 0.1, 0.5]

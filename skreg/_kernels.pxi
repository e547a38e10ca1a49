# The kernels' code, compiled twice (see setup.py): into skreg._kernels for
# the baseline instruction set of the platform, and on x86-64 into
# skreg._kernels_avx2 with AVX2 allowed, which skreg._fused imports instead
# when the CPU has it. The loops are the same source, so the bits are the same:
# wider vectors change how many elements one instruction handles, not the
# operations on each element or their order.

from libc.math cimport sqrt, sqrtf
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t
from libc.string cimport memcpy

ctypedef fused floating:
    float
    double

# The class indices of a fit (np.min_scalar_type of the class count) and the
# row order (np.arange: int64, or int32 on Windows with numpy 1.x).
ctypedef fused index_t:
    uint8_t
    uint16_t
    uint32_t
    int32_t
    int64_t


cdef int _out_of_range(const index_t[::1] indices, Py_ssize_t limit) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(indices.shape[0]):
        if indices[i] < 0 or <int64_t>indices[i] >= limit:
            return 1
    return 0


cdef inline void _adam(
    floating *w,
    const floating *grad,
    floating *m,
    floating *v,
    Py_ssize_t n,
    double beta_1,
    double beta_2,
    double epsilon,
    double lr,
    double l2,
    double l1,
    bint has_l1,
) noexcept nogil:
    cdef Py_ssize_t i
    cdef floating b1 = <floating>beta_1, one_b1 = <floating>(1.0 - beta_1)
    cdef floating b2 = <floating>beta_2, one_b2 = <floating>(1.0 - beta_2)
    cdef floating eps = <floating>epsilon, step = <floating>lr
    cdef floating neg_lr = <floating>(-lr), c2 = <floating>l2, c1 = <floating>l1
    cdef bint has_l2 = l2 != 0.0
    cdef floating g, mi, vi, denom, wi, threshold, clipped
    for i in range(n):
        g = grad[i]
        if has_l2:
            g = g + w[i] * c2
        mi = m[i] * b1
        mi = mi + g * one_b1
        m[i] = mi
        vi = v[i] * b2
        vi = vi + (g * g) * one_b2
        v[i] = vi
        if floating is float:
            denom = sqrtf(vi)
        else:
            denom = sqrt(vi)
        denom = denom + eps
        wi = w[i] + (mi / denom) * neg_lr
        if has_l1:
            threshold = (step / denom) * c1
            clipped = wi if wi < threshold else threshold
            clipped = clipped if clipped > -threshold else -threshold
            wi = wi - clipped
        w[i] = wi


def adam_step(
    floating[::1] param,
    const floating[::1] grad,
    floating[::1] m,
    floating[::1] v,
    double beta_1,
    double beta_2,
    double epsilon,
    double lr,
    double l2,
    double l1,
):
    """One Adam update of ``param`` in place, then the elastic-net prox.

    Bit-identical to the numpy code of ``skreg._optimizers.AdamOptimizer`` with
    an ``ElasticNetPenalty``: the gradient is ``grad + l2 * param`` (``grad``
    itself is only read: writing it back would be memory traffic for a value
    nothing reads), ``m`` and ``v`` are the moments, and ``param`` is then
    soft-thresholded at ``l1`` times each coordinate's step size
    ``lr / (sqrt(v) + epsilon)`` when ``l1`` is not 0. numpy's minimum and
    maximum return NaN for a NaN operand where these comparisons return the
    threshold, but ``param - clipped`` is NaN all the same.
    """
    cdef Py_ssize_t n = param.shape[0]
    if grad.shape[0] != n or m.shape[0] != n or v.shape[0] != n:
        raise ValueError("adam_step: grad, m and v must have param's size")
    # One loop with the prox and one without (inlined with a constant
    # has_l1): GCC otherwise computes the prox's division on every item and
    # discards it when l1 is 0 (benchmarks/README.md, "The Cython kernels").
    cdef floating *w = &param[0]
    cdef const floating *g = &grad[0]
    with nogil:
        if l1 != 0.0:
            _adam(w, g, &m[0], &v[0], n, beta_1, beta_2, epsilon, lr, l2, l1, True)
        else:
            _adam(w, g, &m[0], &v[0], n, beta_1, beta_2, epsilon, lr, l2, l1, False)


def bias_relu(floating[:, ::1] z, const floating[::1] bias):
    """``z += bias`` (a row vector), then relu, in place.

    Bit-identical to ``z += bias; np.maximum(z, 0, out=z)``: a NaN stays NaN
    (numpy's maximum propagates it), everything not above zero, -inf and -0.0
    included, becomes +0.0.
    """
    cdef Py_ssize_t r, j, rows = z.shape[0], cols = z.shape[1]
    if bias.shape[0] != cols:
        raise ValueError("bias_relu: bias must have one value per column of z")
    cdef floating zj, zero = 0
    with nogil:
        for r in range(rows):
            for j in range(cols):
                zj = z[r, j] + bias[j]
                # One comparison, false for NaN: a select the compiler
                # vectorizes (a test for NaN beside it made it branch).
                z[r, j] = zero if zj <= zero else zj


def relu_backward(floating[:, ::1] delta, const floating[:, ::1] output):
    """``delta`` times relu's derivative, read off relu's ``output``, in place.

    ``output > 0`` exactly where the pre-activation was (a negative, zero or
    NaN pre-activation gives a zero or NaN output), so this is bit-identical to
    ``np.multiply(delta, output > 0, out=delta)``, the product with the 0/1
    mask of the pre-activations, which then need not be kept.
    """
    cdef Py_ssize_t rows = delta.shape[0], cols = delta.shape[1]
    if output.shape[0] != rows or output.shape[1] != cols:
        raise ValueError("relu_backward: output must have delta's shape")
    cdef floating on, zero = 0, one = 1
    # One flat loop over both C-contiguous arrays: a loop per row would pay
    # GCC's overlap check of the two arrays at every row.
    cdef floating *d = &delta[0, 0]
    cdef const floating *a = &output[0, 0]
    cdef Py_ssize_t i
    with nogil:
        for i in range(rows * cols):
            on = one if a[i] > zero else zero
            d[i] = d[i] * on


def bias_shift_max(floating[:, ::1] z, const floating[::1] bias):
    """``z += bias``, then each row of ``z`` minus its maximum, in place.

    Softmax's steps before numpy's exp (which this cannot repeat bit for bit).
    The maximum is exact in any order, and a row holding NaN gets a NaN
    maximum, as numpy's.
    """
    cdef Py_ssize_t r, j, rows = z.shape[0], cols = z.shape[1]
    if bias.shape[0] != cols or cols == 0:
        raise ValueError("bias_shift_max: bias must have one value per column of z")
    cdef floating zj, top
    with nogil:
        for r in range(rows):
            top = z[r, 0] + bias[0]
            z[r, 0] = top
            for j in range(1, cols):
                zj = z[r, j] + bias[j]
                z[r, j] = zj
                if zj > top or zj != zj:
                    top = zj
            for j in range(cols):
                z[r, j] = z[r, j] - top


cdef floating _pairwise_sum(const floating *a, Py_ssize_t n) noexcept nogil:
    # numpy's pairwise summation of a contiguous run: a plain loop under 8
    # items, 8 accumulators up to 128, else the halves (split at a multiple of
    # 8) summed apart.
    cdef Py_ssize_t i, k, half
    cdef floating total = 0
    cdef floating acc[8]
    if n < 8:
        for i in range(n):
            total = total + a[i]
        return total
    if n <= 128:
        for k in range(8):
            acc[k] = a[k]
        i = 8
        while i < n - n % 8:
            for k in range(8):
                acc[k] = acc[k] + a[i + k]
            i += 8
        total = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + (
            (acc[4] + acc[5]) + (acc[6] + acc[7])
        )
        while i < n:
            total = total + a[i]
            i += 1
        return total
    half = n // 2
    half -= half % 8
    return _pairwise_sum(a, half) + _pairwise_sum(a + half, n - half)


def normalize_rows(floating[:, ::1] z):
    """Each row of ``z`` divided by its sum, in place: softmax's last step.

    Bit-identical to ``z /= np.add.reduce(z, axis=1, keepdims=True)`` for
    ``z`` without -0.0 (exp's outputs): numpy adds its identity 0 to the
    pairwise sum of each contiguous row. numpy 1.26 sums a row longer than its
    buffer size (np.getbufsize()) a buffer at a time: the caller keeps those.
    """
    cdef Py_ssize_t r, j, rows = z.shape[0], cols = z.shape[1]
    cdef floating total
    if cols == 0:
        return
    with nogil:
        for r in range(rows):
            total = 0
            total = total + _pairwise_sum(&z[r, 0], cols)
            for j in range(cols):
                z[r, j] = z[r, j] / total


def dropout(
    const uint16_t[::1] bits,
    unsigned int threshold,
    double scale,
    const floating[:, ::1] x,
    floating[:, ::1] mask,
    floating[:, ::1] dropped,
):
    """Inverted dropout from 16 random bits a unit.

    ``mask`` gets ``scale`` where ``bits >= threshold`` and 0 elsewhere,
    ``dropped`` gets ``x * mask``: numpy writes the comparison into the float
    mask (1.0 or 0.0) and multiplies by the scale, exactly the scale or +0.0.
    """
    cdef Py_ssize_t r, j, i, rows = x.shape[0], cols = x.shape[1]
    if (
        bits.shape[0] != rows * cols
        or mask.shape[0] != rows or mask.shape[1] != cols
        or dropped.shape[0] != rows or dropped.shape[1] != cols
    ):
        raise ValueError("dropout: bits, x, mask and dropped must have one size")
    cdef floating keep, kept = <floating>scale, zero = 0
    with nogil:
        for r in range(rows):
            for j in range(cols):
                i = r * cols + j
                keep = kept if bits[i] >= threshold else zero
                mask[r, j] = keep
                dropped[r, j] = x[r, j] * keep


def class_probabilities(
    const floating[:, ::1] p, const index_t[::1] classes, double eps, floating[::1] out
):
    """``out[i] = p[i, classes[i]]`` clipped to ``[eps, 1 - eps]``.

    As ``np.minimum(np.maximum(p[i, c], eps), 1 - eps)`` with ``eps`` of the
    array's dtype (NaN stays NaN): the log-loss of one-hot targets.
    """
    cdef Py_ssize_t r, rows = p.shape[0]
    if classes.shape[0] != rows or out.shape[0] != rows:
        raise ValueError("class_probabilities: classes and out need one item a row")
    if _out_of_range(classes, p.shape[1]):
        raise ValueError("class_probabilities: a class index is out of range")
    cdef floating low = <floating>eps, high = <floating>1 - <floating>eps, value
    with nogil:
        for r in range(rows):
            value = p[r, classes[r]]
            if value == value:
                value = low if value < low else value
                value = high if value > high else value
            out[r] = value


def class_delta(
    floating[:, ::1] delta,
    const floating[:, ::1] p,
    const index_t[::1] classes,
    double scale,
):
    """``delta = (p - Y) * scale`` for the one-hot ``Y`` of ``classes``.

    Bit-identical to ``np.copyto(delta, p); delta[i, classes[i]] -= 1;
    delta *= scale``, the scale cast to the array's dtype.
    """
    cdef Py_ssize_t r, j, c, rows = p.shape[0], cols = p.shape[1]
    if delta.shape[0] != rows or delta.shape[1] != cols or classes.shape[0] != rows:
        raise ValueError("class_delta: delta must have p's shape, classes one a row")
    if _out_of_range(classes, cols):
        raise ValueError("class_delta: a class index is out of range")
    cdef floating factor = <floating>scale, one = 1
    with nogil:
        for r in range(rows):
            for j in range(cols):
                delta[r, j] = p[r, j] * factor
            c = classes[r]
            delta[r, c] = (p[r, c] - one) * factor


def take_rows(const floating[:, ::1] x, const index_t[::1] rows, floating[:, ::1] out):
    """``out[i] = x[rows[i]]``: ``x.take(rows, axis=0, out=out)``, the batch gather."""
    cdef Py_ssize_t i, n = rows.shape[0], cols = x.shape[1]
    if out.shape[0] != n or out.shape[1] != cols:
        raise ValueError("take_rows: out must have a row of x's length for each row")
    if _out_of_range(rows, x.shape[0]):
        raise ValueError("take_rows: a row index is out of range")
    if cols == 0:
        return
    with nogil:
        for i in range(n):
            memcpy(&out[i, 0], &x[rows[i], 0], cols * sizeof(floating))

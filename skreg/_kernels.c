/* Compiled kernels: one pass where numpy needs several.
 *
 * - adam_step: the Adam update of skreg._optimizers.AdamOptimizer.step
 *   (scikit-learn's update rule) with the elastic-net penalty's L2 gradient
 *   and L1 prox, in one loop over the parameters;
 * - bias_relu, relu_backward: a hidden layer's bias add and relu, and relu's
 *   derivative times the backward pass's delta (skreg._engine,
 *   skreg._activations);
 * - bias_shift_max, normalize_rows: the output layer's softmax before and
 *   after numpy's exp;
 * - class_probabilities, class_delta: the log-loss's clipped probability of
 *   each row's class (skreg._losses) and the output delta P - Y, for targets
 *   given by class index;
 * - dropout: the mask and its product with the layer input (skreg._dropout);
 * - take_rows: the gather of a shuffled batch (skreg._solvers).
 *
 * Each repeats the numpy code's operations in the same order, each rounded
 * to the array's precision, so the two give the same bits: the constants are
 * cast to the array's type first, as numpy casts a Python float operand, and
 * setup.py turns off floating-point contraction (-ffp-contract=off), which
 * would otherwise fuse a multiply and an add into one rounding. sqrt and
 * division are correctly rounded in both. tests/test_fused.py checks the bits.
 *
 * Only the buffer protocol is used (no numpy headers, so no numpy at build
 * time): the arrays are C-contiguous float32 or float64 buffers of one type
 * (take_rows: any one format), indices any integer type. Every buffer is
 * checked before anything is written, and a ValueError says which one a
 * kernel cannot take. The GIL is released while a kernel runs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* MSVC spells C99's restrict __restrict unless it compiles as C11. */
#if defined(_MSC_VER) && !defined(__clang__)
#define restrict __restrict
#endif

/* x86-64 Linux with GCC: also compile the loops for AVX2 and AVX-512 and pick
 * one at load time. The wider registers change nothing in the results (each
 * lane is the same IEEE operation), only how many run at once. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    defined(__linux__)
#define KERNEL_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define KERNEL_CLONES
#endif

/* The numpy sequence this repeats (tmp and step are scratch arrays):
 *   grad += W * l2                        (only when l2 != 0)
 * (the kernel adds it on the fly and leaves grad as it is: writing it back
 * was 375 KB of memory traffic a step on bench_fit's (256, 256) network, for
 * a value nothing reads),
 *   m *= b1;  m += grad * (1 - b1)
 *   v *= b2;  tmp = grad * grad;  tmp *= (1 - b2);  v += tmp
 *   step = sqrt(v);  step += eps
 *   tmp = m / step;  tmp *= -lr;  W += tmp
 * and, when l1 != 0, ElasticNetPenalty.prox with Adam's per-coordinate steps:
 *   step = lr / step;  t = step * l1;  c = minimum(W, t);  c = maximum(c, -t);
 *   W -= c
 * numpy's minimum and maximum return NaN when either operand is NaN; the
 * comparisons below return the threshold when W is NaN, but W - c is NaN all
 * the same, so the result agrees (tests/test_fused.py has NaN cases). */

#define DEFINE_ADAM(NAME, T, SQRT)                                             \
    KERNEL_CLONES static void NAME(                                            \
        T *restrict w, const T *restrict g, T *restrict m, T *restrict v,      \
        Py_ssize_t n, double b1_, double b2_, double eps_, double lr_,         \
        double l2_, double l1_)                                                \
    {                                                                          \
        const T b1 = (T)b1_, one_b1 = (T)(1.0 - b1_);                          \
        const T b2 = (T)b2_, one_b2 = (T)(1.0 - b2_);                          \
        const T eps = (T)eps_, neg_lr = (T)(-lr_), lr = (T)lr_;                \
        const T l2 = (T)l2_, l1 = (T)l1_;                                      \
        const int has_l2 = l2_ != 0.0, has_l1 = l1_ != 0.0;                    \
        for (Py_ssize_t i = 0; i < n; i++) {                                   \
            T gi = g[i];                                                       \
            if (has_l2) {                                                      \
                T penalty = w[i] * l2;                                         \
                gi = gi + penalty;                                             \
            }                                                                  \
            T mi = m[i] * b1;                                                  \
            T scaled = gi * one_b1;                                            \
            mi = mi + scaled;                                                  \
            m[i] = mi;                                                         \
            T vi = v[i] * b2;                                                  \
            T square = gi * gi;                                                \
            square = square * one_b2;                                          \
            vi = vi + square;                                                  \
            v[i] = vi;                                                         \
            T denom = SQRT(vi);                                                \
            denom = denom + eps;                                               \
            T update = mi / denom;                                             \
            update = update * neg_lr;                                          \
            T wi = w[i] + update;                                              \
            if (has_l1) {                                                      \
                T size = lr / denom;                                           \
                T threshold = size * l1;                                       \
                T clipped = wi < threshold ? wi : threshold;                   \
                T negative = -threshold;                                       \
                clipped = clipped > negative ? clipped : negative;             \
                wi = wi - clipped;                                             \
            }                                                                  \
            w[i] = wi;                                                         \
        }                                                                      \
    }

DEFINE_ADAM(adam_float, float, sqrtf)
DEFINE_ADAM(adam_double, double, sqrt)

/* relu's z * (z > 0) multiplies by 1.0 or 0.0 (numpy casts the comparison),
 * so a negative z becomes -0.0 as in numpy. No mask is kept: the backward
 * pass reads relu's derivative off the output (relu_backward), which saves
 * writing a mask the size of each hidden layer. */
#define DEFINE_BIAS_RELU(NAME, T)                                              \
    KERNEL_CLONES static void NAME(T *restrict z, const T *restrict b,         \
                                   Py_ssize_t rows, Py_ssize_t cols)           \
    {                                                                          \
        for (Py_ssize_t r = 0; r < rows; r++) {                                \
            T *restrict zr = z + r * cols;                                     \
            for (Py_ssize_t j = 0; j < cols; j++) {                            \
                T zj = zr[j] + b[j];                                           \
                T on = zj > (T)0 ? (T)1 : (T)0;                                \
                zr[j] = zj * on;                                               \
            }                                                                  \
        }                                                                      \
    }

DEFINE_BIAS_RELU(bias_relu_float, float)
DEFINE_BIAS_RELU(bias_relu_double, double)

/* relu's derivative from its output a = relu(z): a > 0 exactly where z > 0
 * (a negative, zero or NaN z gives a zero or NaN a), so
 * np.multiply(delta, a > 0, out=delta), which multiplies by 1.0 or 0.0, is the
 * product with the mask of z. */
#define DEFINE_RELU_BACKWARD(NAME, T)                                          \
    KERNEL_CLONES static void NAME(T *restrict delta, const T *restrict a,     \
                                   Py_ssize_t n)                               \
    {                                                                          \
        for (Py_ssize_t i = 0; i < n; i++) {                                   \
            T on = a[i] > (T)0 ? (T)1 : (T)0;                                  \
            delta[i] = delta[i] * on;                                          \
        }                                                                      \
    }

DEFINE_RELU_BACKWARD(relu_backward_float, float)
DEFINE_RELU_BACKWARD(relu_backward_double, double)

/* softmax, around numpy's exp (which these cannot repeat bit for bit):
 * bias_shift_max does the output layer's z += bias and z -= the row maximum,
 * normalize_rows divides each row by its sum. The maximum is exact in any
 * order (a row holding NaN gives a NaN maximum, as numpy's). The sum must be
 * numpy's: np.add.reduce(z, axis=1) adds its identity 0.0 to numpy's pairwise
 * sum of each contiguous row (numpy's pairwise_sum: a plain loop under 8
 * items, 8 accumulators up to 128, else the halves, split at a multiple of
 * 8, summed apart). exp's outputs are never -0.0, so which zero a sum starts
 * from does not matter. numpy 1.26 sums a row longer than its buffer size
 * (np.getbufsize()) a buffer at a time: the caller keeps those rows. */
#define DEFINE_BIAS_SHIFT_MAX(NAME, T)                                         \
    KERNEL_CLONES static void NAME(T *restrict z, const T *restrict b,         \
                                   Py_ssize_t rows, Py_ssize_t cols)           \
    {                                                                          \
        for (Py_ssize_t r = 0; r < rows; r++) {                                \
            T *restrict zr = z + r * cols;                                     \
            T top = zr[0] + b[0];                                              \
            zr[0] = top;                                                       \
            for (Py_ssize_t j = 1; j < cols; j++) {                            \
                T zj = zr[j] + b[j];                                           \
                zr[j] = zj;                                                    \
                top = (zj > top || zj != zj) ? zj : top;                       \
            }                                                                  \
            for (Py_ssize_t j = 0; j < cols; j++) {                            \
                zr[j] = zr[j] - top;                                           \
            }                                                                  \
        }                                                                      \
    }

DEFINE_BIAS_SHIFT_MAX(bias_shift_max_float, float)
DEFINE_BIAS_SHIFT_MAX(bias_shift_max_double, double)

#define DEFINE_PAIRWISE_SUM(NAME, T)                                           \
    static T NAME(const T *a, Py_ssize_t n)                                    \
    {                                                                          \
        if (n < 8) {                                                           \
            T sum = (T)0;                                                      \
            for (Py_ssize_t i = 0; i < n; i++) {                               \
                sum = sum + a[i];                                              \
            }                                                                  \
            return sum;                                                        \
        }                                                                      \
        if (n <= 128) {                                                        \
            T r[8];                                                            \
            for (int k = 0; k < 8; k++) {                                      \
                r[k] = a[k];                                                   \
            }                                                                  \
            Py_ssize_t i = 8;                                                  \
            for (; i < n - (n % 8); i += 8) {                                  \
                for (int k = 0; k < 8; k++) {                                  \
                    r[k] = r[k] + a[i + k];                                    \
                }                                                              \
            }                                                                  \
            T sum = ((r[0] + r[1]) + (r[2] + r[3])) +                          \
                    ((r[4] + r[5]) + (r[6] + r[7]));                           \
            for (; i < n; i++) {                                               \
                sum = sum + a[i];                                              \
            }                                                                  \
            return sum;                                                        \
        }                                                                      \
        Py_ssize_t half = n / 2;                                               \
        half -= half % 8;                                                      \
        return NAME(a, half) + NAME(a + half, n - half);                       \
    }

DEFINE_PAIRWISE_SUM(pairwise_sum_float, float)
DEFINE_PAIRWISE_SUM(pairwise_sum_double, double)

#define DEFINE_NORMALIZE_ROWS(NAME, T, SUM)                                    \
    static void NAME(T *restrict z, Py_ssize_t rows, Py_ssize_t cols)          \
    {                                                                          \
        for (Py_ssize_t r = 0; r < rows; r++) {                                \
            T *restrict zr = z + r * cols;                                     \
            T total = (T)0 + SUM(zr, cols);                                    \
            for (Py_ssize_t j = 0; j < cols; j++) {                            \
                zr[j] = zr[j] / total;                                         \
            }                                                                  \
        }                                                                      \
    }

DEFINE_NORMALIZE_ROWS(normalize_rows_float, float, pairwise_sum_float)
DEFINE_NORMALIZE_ROWS(normalize_rows_double, double, pairwise_sum_double)

/* Item i of an index buffer of index_format `format`; -1 for an unsigned
 * value too large for int64_t (callers reject negative indices). */
static int64_t
index_at(const char *buf, char format, Py_ssize_t itemsize, Py_ssize_t i)
{
    const char *item = buf + i * itemsize;
    const int is_signed = format >= 'a';
    switch (itemsize) {
    case 1:
        return is_signed ? (int64_t)(*(const int8_t *)item)
                         : (int64_t)(*(const uint8_t *)item);
    case 2:
        return is_signed ? (int64_t)(*(const int16_t *)item)
                         : (int64_t)(*(const uint16_t *)item);
    case 4:
        return is_signed ? (int64_t)(*(const int32_t *)item)
                         : (int64_t)(*(const uint32_t *)item);
    default:
        if (is_signed) {
            return *(const int64_t *)item;
        }
        uint64_t value = *(const uint64_t *)item;
        return value > (uint64_t)INT64_MAX ? -1 : (int64_t)value;
    }
}

/* One-hot targets given by class index (skreg._losses.class_log_loss and
 * the start of skreg._engine.Network.backward): class_probabilities takes
 * each row's probability of its class clipped to [eps, 1 - eps], as
 * np.minimum(np.maximum(p, eps), 1 - eps) does (NaN stays NaN); class_delta
 * writes (P - Y) * scale for the one-hot Y: numpy copies P, subtracts 1 at
 * each row's class, then multiplies by the scale cast to the array's type. */
#define DEFINE_CLASS_PROBABILITIES(NAME, T)                                    \
    static void NAME(const T *restrict p, const char *classes, char format,    \
                     Py_ssize_t itemsize, double eps_, T *restrict out,        \
                     Py_ssize_t rows, Py_ssize_t cols)                         \
    {                                                                          \
        const T eps = (T)eps_, top = (T)1 - (T)eps_;                           \
        for (Py_ssize_t r = 0; r < rows; r++) {                                \
            T value = p[r * cols + index_at(classes, format, itemsize, r)];    \
            if (value == value) {                                              \
                value = value < eps ? eps : value;                             \
                value = value > top ? top : value;                             \
            }                                                                  \
            out[r] = value;                                                    \
        }                                                                      \
    }

DEFINE_CLASS_PROBABILITIES(class_probabilities_float, float)
DEFINE_CLASS_PROBABILITIES(class_probabilities_double, double)

#define DEFINE_CLASS_DELTA(NAME, T)                                            \
    static void NAME(T *restrict delta, const T *restrict p,                   \
                     const char *classes, char format, Py_ssize_t itemsize,    \
                     double scale_, Py_ssize_t rows, Py_ssize_t cols)          \
    {                                                                          \
        const T scale = (T)scale_;                                             \
        for (Py_ssize_t r = 0; r < rows; r++) {                                \
            const T *restrict pr = p + r * cols;                               \
            T *restrict dr = delta + r * cols;                                 \
            for (Py_ssize_t j = 0; j < cols; j++) {                            \
                dr[j] = pr[j] * scale;                                         \
            }                                                                  \
            int64_t c = index_at(classes, format, itemsize, r);                \
            T shifted = pr[c] - (T)1;                                          \
            dr[c] = shifted * scale;                                           \
        }                                                                      \
    }

DEFINE_CLASS_DELTA(class_delta_float, float)
DEFINE_CLASS_DELTA(class_delta_double, double)

/* skreg._dropout.drop: numpy writes np.greater_equal(bits, threshold) into
 * the float mask (1.0 or 0.0), multiplies it by the scale (giving the scale
 * or +0.0 exactly), then multiplies the layer input by the mask. */
#define DEFINE_DROPOUT(NAME, T)                                                \
    KERNEL_CLONES static void NAME(const uint16_t *restrict bits,              \
                                   unsigned threshold, double scale_,          \
                                   const T *restrict x, T *restrict mask,      \
                                   T *restrict dropped, Py_ssize_t n)          \
    {                                                                          \
        const T scale = (T)scale_;                                             \
        for (Py_ssize_t i = 0; i < n; i++) {                                   \
            T keep = bits[i] >= threshold ? scale : (T)0;                      \
            mask[i] = keep;                                                    \
            dropped[i] = x[i] * keep;                                          \
        }                                                                      \
    }

DEFINE_DROPOUT(dropout_float, float)
DEFINE_DROPOUT(dropout_double, double)

/* A buffer's struct format without its byte-order prefix ("B" when the
 * exporter gave none); buffers are taken with PyBUF_FORMAT. */
static const char *
plain_format(Py_buffer *view)
{
    const char *format = view->format == NULL ? "B" : view->format;
    if (format[0] == '=' || format[0] == '<' || format[0] == '@') {
        format++;
    }
    return format;
}

/* 'f' for a float32 buffer, 'd' for float64, 0 for anything else. */
static char
buffer_type(Py_buffer *view)
{
    const char *format = plain_format(view);
    if (strcmp(format, "f") == 0 && view->itemsize == sizeof(float)) {
        return 'f';
    }
    if (strcmp(format, "d") == 0 && view->itemsize == sizeof(double)) {
        return 'd';
    }
    return 0;
}

/* An integer buffer's struct format code ("bBhHiIlLqQ" of 1, 2, 4 or 8
 * bytes), or 0 for anything else: indices taken as numpy's integer arrays
 * export them. */
static char
index_format(Py_buffer *view)
{
    const char *format = plain_format(view);
    if (strlen(format) != 1 || strchr("bBhHiIlLqQ", format[0]) == NULL) {
        return 0;
    }
    Py_ssize_t size = view->itemsize;
    return (size == 1 || size == 2 || size == 4 || size == 8) ? format[0] : 0;
}

/* Whether every item of an index buffer is in [0, limit). */
static int
indices_in_range(Py_buffer *view, char format, Py_ssize_t n, Py_ssize_t limit)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t index = index_at(view->buf, format, view->itemsize, i);
        if (index < 0 || index >= limit) {
            return 0;
        }
    }
    return 1;
}

/* Whether two buffers' memory overlaps. */
static int
share_memory(const Py_buffer *a, const Py_buffer *b)
{
    const char *x = a->buf, *y = b->buf;
    return a->len && b->len && x < y + b->len && y < x + a->len;
}

/* Takes `count` C-contiguous buffers of one float type, all writable but those
 * in `read_only` (a bit per position), no two sharing memory (the loops'
 * pointers are restrict). Returns 'f' or 'd', or 0 with a ValueError set and
 * nothing held. */
static char
take_buffers(const char *function, PyObject **objects, const char **names,
             int count, unsigned read_only, Py_buffer *views)
{
    int taken = 0;
    char type = 0;
    for (; taken < count; taken++) {
        int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT;
        if (!(read_only & (1u << taken))) {
            flags |= PyBUF_WRITABLE;
        }
        if (PyObject_GetBuffer(objects[taken], &views[taken], flags) < 0) {
            PyErr_Format(PyExc_ValueError, "%s: %s must be a%s C-contiguous array",
                         function, names[taken],
                         (read_only & (1u << taken)) ? "" : " writable,");
            goto fail;
        }
        char this_type = buffer_type(&views[taken]);
        if (this_type == 0) {
            PyErr_Format(PyExc_ValueError, "%s: %s must be float32 or float64",
                         function, names[taken]);
            taken++;
            goto fail;
        }
        if (taken > 0 && this_type != type) {
            PyErr_Format(PyExc_ValueError, "%s: %s must have the dtype of %s",
                         function, names[taken], names[0]);
            taken++;
            goto fail;
        }
        type = this_type;
    }
    for (int i = 0; i < count; i++) {
        for (int j = i + 1; j < count; j++) {
            if (share_memory(&views[i], &views[j])) {
                PyErr_Format(PyExc_ValueError, "%s: %s and %s share memory",
                             function, names[i], names[j]);
                goto fail;
            }
        }
    }
    return type;
fail:
    for (int i = 0; i < taken; i++) {
        PyBuffer_Release(&views[i]);
    }
    return 0;
}

static void
release_buffers(Py_buffer *views, int count)
{
    for (int i = 0; i < count; i++) {
        PyBuffer_Release(&views[i]);
    }
}

PyDoc_STRVAR(adam_step_doc,
"adam_step(param, grad, m, v, beta_1, beta_2, epsilon, lr, l2, l1)\n"
"--\n\n"
"One Adam update of ``param`` in place, then the elastic-net prox, bit-identical\n"
"to the numpy code of ``skreg._optimizers.AdamOptimizer`` with an\n"
"``ElasticNetPenalty``. The gradient is ``grad + l2 * param`` (``grad`` itself\n"
"is only read); ``m`` and ``v`` are the moments; then ``param`` is\n"
"soft-thresholded at\n"
"``l1`` times each coordinate's step size ``lr / (sqrt(v) + epsilon)`` (when\n"
"``l1`` is not 0). All arrays are C-contiguous float32 or float64 of one type\n"
"and size.");

static PyObject *
adam_step(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *objects[4];
    double b1, b2, eps, lr, l2, l1;
    static const char *names[4] = {"param", "grad", "m", "v"};
    if (!PyArg_ParseTuple(args, "OOOOdddddd:adam_step", &objects[0], &objects[1],
                          &objects[2], &objects[3], &b1, &b2, &eps, &lr, &l2,
                          &l1)) {
        return NULL;
    }
    const int count = 4;
    Py_buffer views[4];
    /* grad (position 1) is only read. */
    char type = take_buffers("adam_step", objects, names, count, 1u << 1, views);
    if (type == 0) {
        return NULL;
    }
    for (int i = 1; i < count; i++) {
        if (views[i].len != views[0].len) {
            PyErr_Format(PyExc_ValueError, "adam_step: %s must have param's size",
                         names[i]);
            release_buffers(views, count);
            return NULL;
        }
    }
    Py_ssize_t n = views[0].len / views[0].itemsize;
    Py_BEGIN_ALLOW_THREADS
    if (type == 'f') {
        adam_float(views[0].buf, views[1].buf, views[2].buf, views[3].buf, n, b1, b2,
                   eps, lr, l2, l1);
    }
    else {
        adam_double(views[0].buf, views[1].buf, views[2].buf, views[3].buf, n, b1,
                    b2, eps, lr, l2, l1);
    }
    Py_END_ALLOW_THREADS
    release_buffers(views, count);
    Py_RETURN_NONE;
}

/* The loops of the (z, bias) kernels: z is rows x cols, bias one per column. */
typedef void (*row_bias_float)(float *, const float *, Py_ssize_t, Py_ssize_t);
typedef void (*row_bias_double)(double *, const double *, Py_ssize_t, Py_ssize_t);

/* Parses (z, bias), checks that z is 2-D with at least min_cols columns and
 * bias has one value per column (else ValueError shape_error), and runs the
 * loop of z's type: the wrapper of bias_relu and bias_shift_max. */
static PyObject *
call_with_row_bias(PyObject *args, const char *function, Py_ssize_t min_cols,
                   const char *shape_error, row_bias_float loop_float,
                   row_bias_double loop_double)
{
    PyObject *objects[2];
    static const char *names[2] = {"z", "bias"};
    char format[64];
    snprintf(format, sizeof format, "OO:%s", function);
    if (!PyArg_ParseTuple(args, format, &objects[0], &objects[1])) {
        return NULL;
    }
    Py_buffer views[2];
    char type = take_buffers(function, objects, names, 2, 1u << 1, views);
    if (type == 0) {
        return NULL;
    }
    Py_ssize_t cols = views[1].len / views[1].itemsize;
    if (views[0].ndim != 2 || views[0].shape[1] != cols || cols < min_cols) {
        PyErr_SetString(PyExc_ValueError, shape_error);
        release_buffers(views, 2);
        return NULL;
    }
    Py_ssize_t rows = views[0].shape[0];
    Py_BEGIN_ALLOW_THREADS
    if (type == 'f') {
        loop_float(views[0].buf, views[1].buf, rows, cols);
    }
    else {
        loop_double(views[0].buf, views[1].buf, rows, cols);
    }
    Py_END_ALLOW_THREADS
    release_buffers(views, 2);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(bias_relu_doc,
"bias_relu(z, bias)\n"
"--\n\n"
"``z += bias`` (a row vector), then relu in place: bit-identical to\n"
"``z += bias; np.multiply(z, z > 0, out=z)``. ``z`` is 2-D and C-contiguous,\n"
"``bias`` has one value per column of ``z``; both float32 or float64 of one\n"
"type.");

static PyObject *
bias_relu(PyObject *Py_UNUSED(self), PyObject *args)
{
    return call_with_row_bias(
        args, "bias_relu", 0,
        "bias_relu: z must be 2-D and bias one value per column of z",
        bias_relu_float, bias_relu_double);
}

PyDoc_STRVAR(relu_backward_doc,
"relu_backward(delta, output)\n"
"--\n\n"
"``delta`` times relu's derivative, in place, read off relu's ``output``:\n"
"bit-identical to ``np.multiply(delta, output > 0, out=delta)``. Both\n"
"C-contiguous, of one size, and float32 or float64 of one type.");

static PyObject *
relu_backward(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *objects[2];
    static const char *names[2] = {"delta", "output"};
    if (!PyArg_ParseTuple(args, "OO:relu_backward", &objects[0], &objects[1])) {
        return NULL;
    }
    Py_buffer views[2];
    char type = take_buffers("relu_backward", objects, names, 2, 1u << 1, views);
    if (type == 0) {
        return NULL;
    }
    if (views[1].len != views[0].len) {
        PyErr_SetString(PyExc_ValueError,
                        "relu_backward: output must have delta's size");
        release_buffers(views, 2);
        return NULL;
    }
    Py_ssize_t n = views[0].len / views[0].itemsize;
    Py_BEGIN_ALLOW_THREADS
    if (type == 'f') {
        relu_backward_float(views[0].buf, views[1].buf, n);
    }
    else {
        relu_backward_double(views[0].buf, views[1].buf, n);
    }
    Py_END_ALLOW_THREADS
    release_buffers(views, 2);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(bias_shift_max_doc,
"bias_shift_max(z, bias)\n"
"--\n\n"
"``z += bias`` (a row vector), then each row of ``z`` minus its maximum, in\n"
"place: softmax's steps before exp, bit-identical to ``z += bias;\n"
"z -= np.maximum.reduce(z, axis=1, keepdims=True)``. ``z`` is 2-D and\n"
"C-contiguous, ``bias`` has one value per column of ``z``; both float32 or\n"
"float64 of one type.");

static PyObject *
bias_shift_max(PyObject *Py_UNUSED(self), PyObject *args)
{
    return call_with_row_bias(args, "bias_shift_max", 1,
                              "bias_shift_max: z must be 2-D with columns and bias "
                              "one value per column of z",
                              bias_shift_max_float, bias_shift_max_double);
}

PyDoc_STRVAR(normalize_rows_doc,
"normalize_rows(z)\n"
"--\n\n"
"Each row of ``z`` divided by its sum, in place: softmax's step after exp,\n"
"bit-identical to ``z /= np.add.reduce(z, axis=1, keepdims=True)`` for\n"
"``z`` without -0.0. ``z`` is 2-D, C-contiguous, float32 or float64.");

static PyObject *
normalize_rows(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *objects[1];
    static const char *names[1] = {"z"};
    if (!PyArg_ParseTuple(args, "O:normalize_rows", &objects[0])) {
        return NULL;
    }
    Py_buffer views[1];
    char type = take_buffers("normalize_rows", objects, names, 1, 0, views);
    if (type == 0) {
        return NULL;
    }
    if (views[0].ndim != 2) {
        PyErr_SetString(PyExc_ValueError, "normalize_rows: z must be 2-D");
        release_buffers(views, 1);
        return NULL;
    }
    Py_ssize_t rows = views[0].shape[0], cols = views[0].shape[1];
    Py_BEGIN_ALLOW_THREADS
    if (type == 'f') {
        normalize_rows_float(views[0].buf, rows, cols);
    }
    else {
        normalize_rows_double(views[0].buf, rows, cols);
    }
    Py_END_ALLOW_THREADS
    release_buffers(views, 1);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(dropout_doc,
"dropout(bits, threshold, scale, x, mask, dropped)\n"
"--\n\n"
"Inverted dropout from 16 random bits a unit: ``mask`` gets ``scale`` where\n"
"``bits >= threshold`` and 0 elsewhere, ``dropped`` gets ``x * mask``;\n"
"bit-identical to the numpy code of ``skreg._dropout``. ``bits`` is uint16;\n"
"``x``, ``mask`` and ``dropped`` are float32 or float64 of one type; all four\n"
"C-contiguous and of one size.");

static PyObject *
dropout(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *bits_object, *objects[3];
    unsigned threshold;
    double scale;
    static const char *names[3] = {"x", "mask", "dropped"};
    if (!PyArg_ParseTuple(args, "OIdOOO:dropout", &bits_object, &threshold, &scale,
                          &objects[0], &objects[1], &objects[2])) {
        return NULL;
    }
    Py_buffer bits;
    if (PyObject_GetBuffer(bits_object, &bits, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        PyErr_SetString(PyExc_ValueError, "dropout: bits must be a C-contiguous array");
        return NULL;
    }
    if (strcmp(plain_format(&bits), "H") != 0 || bits.itemsize != 2) {
        PyErr_SetString(PyExc_ValueError, "dropout: bits must be uint16");
        PyBuffer_Release(&bits);
        return NULL;
    }
    Py_buffer views[3];
    char type = take_buffers("dropout", objects, names, 3, 1u << 0, views);
    if (type == 0) {
        PyBuffer_Release(&bits);
        return NULL;
    }
    Py_ssize_t n = bits.len / 2;
    if (views[0].len != n * views[0].itemsize || views[1].len != views[0].len ||
        views[2].len != views[0].len) {
        PyErr_SetString(PyExc_ValueError,
                        "dropout: bits, x, mask and dropped must have one size");
        release_buffers(views, 3);
        PyBuffer_Release(&bits);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    if (type == 'f') {
        dropout_float(bits.buf, threshold, scale, views[0].buf, views[1].buf,
                      views[2].buf, n);
    }
    else {
        dropout_double(bits.buf, threshold, scale, views[0].buf, views[1].buf,
                       views[2].buf, n);
    }
    Py_END_ALLOW_THREADS
    release_buffers(views, 3);
    PyBuffer_Release(&bits);
    Py_RETURN_NONE;
}

/* Takes the class-index buffer of a (rows, cols) output: 1-D integers, one
 * per row, each in [0, cols), not sharing memory with the buffer the kernel
 * writes (`written`, named `written_name`). Returns its index format, or 0
 * with a ValueError set (the buffer is then released). */
static char
take_classes(const char *function, PyObject *object, Py_ssize_t rows,
             Py_ssize_t cols, const Py_buffer *written, const char *written_name,
             Py_buffer *view)
{
    if (PyObject_GetBuffer(object, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        PyErr_Format(PyExc_ValueError, "%s: classes must be a C-contiguous array",
                     function);
        return 0;
    }
    char format = index_format(view);
    if (format == 0 || view->ndim != 1 || view->shape[0] != rows) {
        PyErr_Format(PyExc_ValueError,
                     "%s: classes must be 1-D integers, one per row of p", function);
        PyBuffer_Release(view);
        return 0;
    }
    if (!indices_in_range(view, format, rows, cols)) {
        PyErr_Format(PyExc_ValueError, "%s: a class index is out of range",
                     function);
        PyBuffer_Release(view);
        return 0;
    }
    if (share_memory(view, written)) {
        PyErr_Format(PyExc_ValueError, "%s: classes and %s share memory", function,
                     written_name);
        PyBuffer_Release(view);
        return 0;
    }
    return format;
}

PyDoc_STRVAR(class_probabilities_doc,
"class_probabilities(p, classes, eps, out)\n"
"--\n\n"
"``out[i] = p[i, classes[i]]`` clipped to ``[eps, 1 - eps]``, as\n"
"``np.minimum(np.maximum(p[i, c], eps), 1 - eps)`` (NaN stays NaN). ``p`` is\n"
"2-D and ``out`` holds one value per row of it, both C-contiguous float32 or\n"
"float64 of one type; ``classes`` is 1-D integers in ``[0, p.shape[1])``.");

static PyObject *
class_probabilities(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *objects[2], *classes_object;
    double eps;
    static const char *names[2] = {"p", "out"};
    if (!PyArg_ParseTuple(args, "OOdO:class_probabilities", &objects[0],
                          &classes_object, &eps, &objects[1])) {
        return NULL;
    }
    Py_buffer views[2], classes;
    char type = take_buffers("class_probabilities", objects, names, 2, 1u << 0, views);
    if (type == 0) {
        return NULL;
    }
    if (views[0].ndim != 2 || views[1].len / views[1].itemsize != views[0].shape[0]) {
        PyErr_SetString(PyExc_ValueError,
                        "class_probabilities: p must be 2-D and out one value per row "
                        "of p");
        release_buffers(views, 2);
        return NULL;
    }
    Py_ssize_t rows = views[0].shape[0], cols = views[0].shape[1];
    char format = take_classes("class_probabilities", classes_object, rows, cols,
                               &views[1], "out", &classes);
    if (format == 0) {
        release_buffers(views, 2);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    if (type == 'f') {
        class_probabilities_float(views[0].buf, classes.buf, format, classes.itemsize,
                                  eps, views[1].buf, rows, cols);
    }
    else {
        class_probabilities_double(views[0].buf, classes.buf, format,
                                   classes.itemsize, eps, views[1].buf, rows, cols);
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&classes);
    release_buffers(views, 2);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(class_delta_doc,
"class_delta(delta, p, classes, scale)\n"
"--\n\n"
"``delta = (p - Y) * scale`` for the one-hot ``Y`` of ``classes``:\n"
"bit-identical to ``np.copyto(delta, p)``, ``delta[i, classes[i]] -= 1``,\n"
"``delta *= scale``. ``delta`` and ``p`` are 2-D, C-contiguous, of one shape,\n"
"float32 or float64 of one type; ``classes`` is 1-D integers in\n"
"``[0, p.shape[1])``, one per row.");

static PyObject *
class_delta(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *objects[2], *classes_object;
    double scale;
    static const char *names[2] = {"delta", "p"};
    if (!PyArg_ParseTuple(args, "OOOd:class_delta", &objects[0], &objects[1],
                          &classes_object, &scale)) {
        return NULL;
    }
    Py_buffer views[2], classes;
    char type = take_buffers("class_delta", objects, names, 2, 1u << 1, views);
    if (type == 0) {
        return NULL;
    }
    if (views[1].ndim != 2 || views[0].len != views[1].len) {
        PyErr_SetString(PyExc_ValueError,
                        "class_delta: p must be 2-D and delta of p's size");
        release_buffers(views, 2);
        return NULL;
    }
    Py_ssize_t rows = views[1].shape[0], cols = views[1].shape[1];
    char format = take_classes("class_delta", classes_object, rows, cols, &views[0],
                               "delta", &classes);
    if (format == 0) {
        release_buffers(views, 2);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    if (type == 'f') {
        class_delta_float(views[0].buf, views[1].buf, classes.buf, format,
                          classes.itemsize, scale, rows, cols);
    }
    else {
        class_delta_double(views[0].buf, views[1].buf, classes.buf, format,
                           classes.itemsize, scale, rows, cols);
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&classes);
    release_buffers(views, 2);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(take_rows_doc,
"take_rows(x, rows, out)\n"
"--\n\n"
"``out[i] = x[rows[i]]`` for each i: ``x.take(rows, axis=0, out=out)`` for\n"
"in-range indices, with the rows ahead prefetched (the gather of a shuffled\n"
"batch waits on memory, one row after another, in numpy's loop). ``x`` and\n"
"``out`` are 2-D, C-contiguous, of one format and row length; ``rows`` is a\n"
"contiguous array of integers, one per row of ``out``, each in\n"
"``[0, len(x))``.");

/* Rows prefetched ahead of the copy: enough to keep several rows' loads in
 * flight; each row of bench_fit's data is 7 cache lines (float32) or 13. */
#define PREFETCH_ROWS 8

static PyObject *
take_rows(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *x_object, *rows_object, *out_object;
    if (!PyArg_ParseTuple(args, "OOO:take_rows", &x_object, &rows_object,
                          &out_object)) {
        return NULL;
    }
    Py_buffer x, rows, out;
    const int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT;
    if (PyObject_GetBuffer(x_object, &x, flags) < 0) {
        PyErr_SetString(PyExc_ValueError, "take_rows: x must be a C-contiguous array");
        return NULL;
    }
    if (PyObject_GetBuffer(rows_object, &rows, flags) < 0) {
        PyErr_SetString(PyExc_ValueError,
                        "take_rows: rows must be a C-contiguous array");
        PyBuffer_Release(&x);
        return NULL;
    }
    if (PyObject_GetBuffer(out_object, &out, flags | PyBUF_WRITABLE) < 0) {
        PyErr_SetString(PyExc_ValueError,
                        "take_rows: out must be a writable, C-contiguous array");
        PyBuffer_Release(&x);
        PyBuffer_Release(&rows);
        return NULL;
    }
    const char *error = NULL;
    char index_kind = index_format(&rows);
    Py_ssize_t n = rows.ndim == 1 ? rows.shape[0] : -1;
    if (x.ndim != 2 || out.ndim != 2 || x.shape[1] != out.shape[1] ||
        x.itemsize != out.itemsize ||
        strcmp(plain_format(&x), plain_format(&out)) != 0) {
        error = "take_rows: x and out must be 2-D arrays of one dtype and row length";
    }
    else if (strchr(plain_format(&x), 'O') != NULL) {
        /* A copy of object pointers would skip their reference counts. */
        error = "take_rows: x must not hold Python objects";
    }
    else if (index_kind == 0 || n != out.shape[0]) {
        error = "take_rows: rows must be 1-D integers, one per row of out";
    }
    else if (share_memory(&x, &out) || share_memory(&rows, &out)) {
        error = "take_rows: out shares memory with x or rows";
    }
    else if (!indices_in_range(&rows, index_kind, n, x.shape[0])) {
        error = "take_rows: a row index is out of range";
    }
    if (error != NULL) {
        PyErr_SetString(PyExc_ValueError, error);
        PyBuffer_Release(&x);
        PyBuffer_Release(&rows);
        PyBuffer_Release(&out);
        return NULL;
    }
    const Py_ssize_t row_bytes = x.shape[1] * x.itemsize;
    const char *source = x.buf;
    char *target = out.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n + PREFETCH_ROWS; i++) {
        if (i < n) {
            int64_t row = index_at(rows.buf, index_kind, rows.itemsize, i);
            const char *ahead = source + row * row_bytes;
#if defined(__GNUC__) || defined(__clang__)
            for (Py_ssize_t offset = 0; offset < row_bytes; offset += 64) {
                __builtin_prefetch(ahead + offset, 0, 0);
            }
#else
            (void)ahead;
#endif
        }
        Py_ssize_t copied = i - PREFETCH_ROWS;
        if (copied >= 0) {
            int64_t row = index_at(rows.buf, index_kind, rows.itemsize, copied);
            memcpy(target + copied * row_bytes, source + row * row_bytes,
                   (size_t)row_bytes);
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&x);
    PyBuffer_Release(&rows);
    PyBuffer_Release(&out);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"adam_step", adam_step, METH_VARARGS, adam_step_doc},
    {"bias_relu", bias_relu, METH_VARARGS, bias_relu_doc},
    {"relu_backward", relu_backward, METH_VARARGS, relu_backward_doc},
    {"bias_shift_max", bias_shift_max, METH_VARARGS, bias_shift_max_doc},
    {"normalize_rows", normalize_rows, METH_VARARGS, normalize_rows_doc},
    {"dropout", dropout, METH_VARARGS, dropout_doc},
    {"take_rows", take_rows, METH_VARARGS, take_rows_doc},
    {"class_probabilities", class_probabilities, METH_VARARGS,
     class_probabilities_doc},
    {"class_delta", class_delta, METH_VARARGS, class_delta_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "skreg._kernels",
    .m_doc = "Compiled elementwise kernels, bit-identical to skreg's numpy code.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__kernels(void)
{
    return PyModule_Create(&module);
}

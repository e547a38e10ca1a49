# cython: language_level=3, boundscheck=False, wraparound=False
# cython: cdivision=True, initializedcheck=False
"""Compiled elementwise kernels, bit-identical to skreg's numpy code.

Each kernel does in one pass what numpy does in several, repeating numpy's
operations in the same order, each rounded to the array's precision: the
constants are cast to the array's type first (numpy casts a Python float
operand to the array's dtype), and setup.py builds without floating-point
contraction, so no multiply and add are fused into one rounding. sqrt and
division are correctly rounded in both. Even 0 and 1 enter the loops as typed
variables: Cython writes a literal as a C double, in which C would then compute
float32 arithmetic. tests/test_fused.py checks the bits.

The arrays are typed memoryviews, C-contiguous, float32 or float64 of one type
(the dtype and layout are checked when a kernel is called); indices are
unsigned 8, 16 or 32-bit or signed 32 or 64-bit integers. What Cython does not
check is the caller's promise, kept by skreg._fused: every array is aligned
for its dtype (skreg._fused.kernel_ready, fusable). Shapes and indices are
checked here before anything is written, so a wrong call raises ValueError
instead of reading or writing outside an array. The GIL is released while a
kernel runs.
"""

include "_kernels.pxi"


cdef extern from *:
    """
    /* GCC and clang on x86: whether the CPU runs AVX2 and the OS saves its
       registers (libgcc's CPU model checks both). Elsewhere: no. */
    #if (defined(__GNUC__) || defined(__clang__)) && \
        (defined(__x86_64__) || defined(__i386__))
    static int skreg_cpu_has_avx2(void) {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2");
    }
    #else
    static int skreg_cpu_has_avx2(void) { return 0; }
    #endif
    """
    int skreg_cpu_has_avx2() noexcept nogil


def _cpu_has_avx2():
    """Whether skreg._kernels_avx2 can run on this CPU."""
    return bool(skreg_cpu_has_avx2())

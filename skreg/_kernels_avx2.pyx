# cython: language_level=3, boundscheck=False, wraparound=False
# cython: cdivision=True, initializedcheck=False
"""skreg._kernels built with AVX2 allowed: the same kernels, the same bits.

setup.py builds it on x86-64 only; skreg._fused imports it in place of
skreg._kernels when the CPU has AVX2 (skreg._kernels._cpu_has_avx2).
"""

include "_kernels.pxi"

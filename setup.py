"""Builds skreg's optional compiled kernels; all metadata is in pyproject.toml.

The kernels (``skreg._kernels``, from ``skreg/_kernels.pyx``) are an
accelerator, not a requirement: the extension is ``optional``, so where it
cannot be compiled (no C compiler, no Python headers, no Cython) the install
goes on and skreg runs its numpy code, which gives the same bits, only slower.
setuptools compiles the .pyx with Cython (a build requirement) when it can
import it. This file exists for the compiler flags, which pyproject.toml
cannot express per compiler, and for the second build of the same kernels on
x86-64, ``skreg._kernels_avx2``.
"""

import platform

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# -ffp-contract=off is what keeps the kernels bit-identical to numpy: GCC and
# clang may otherwise fuse a multiply and an add into one FMA, rounded once
# where numpy rounds twice. -fno-math-errno lets sqrt compile to the vector
# instruction (its argument, a sum of squares, is never negative, so errno is
# never set). -fno-trapping-math lets GCC vectorize the comparisons of
# bias_relu and relu_backward without AVX-512; it changes no value, only which
# floating-point exception flags may be raised, and nothing reads them.
_GCC_FLAGS = ["-O3", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math"]
# skreg._kernels is built for the baseline instruction set (SSE2 on x86-64),
# so it runs on every CPU. On x86-64, GCC and clang also build the same source
# as skreg._kernels_avx2 with AVX2 allowed (not FMA: -mavx2 does not enable it,
# and contraction is off anyway), and skreg._fused imports it when the CPU has
# AVX2. A second module chosen at import replaces GCC's target_clones, which
# needs ifunc, which musl does not have. MSVC does not contract under
# /fp:precise; it builds the baseline module only.
_MSVC_FLAGS = ["/O2", "/fp:precise"]
_AVX2_FLAGS = ["-mavx2"]
_X86_64 = platform.machine().lower() in ("x86_64", "amd64")


class BuildExt(build_ext):
    def build_extensions(self):
        msvc = self.compiler.compiler_type == "msvc"
        if msvc:
            self.extensions = [e for e in self.extensions if e.name != _AVX2.name]
        flags = _MSVC_FLAGS if msvc else _GCC_FLAGS
        for extension in self.extensions:
            extension.extra_compile_args = [*flags, *extension.extra_compile_args]
        super().build_extensions()


_BASELINE = Extension("skreg._kernels", ["skreg/_kernels.pyx"], optional=True)
_AVX2 = Extension(
    "skreg._kernels_avx2",
    ["skreg/_kernels_avx2.pyx"],
    extra_compile_args=_AVX2_FLAGS,
    optional=True,
)

setup(
    ext_modules=[_BASELINE, *([_AVX2] if _X86_64 else [])],
    cmdclass={"build_ext": BuildExt},
)

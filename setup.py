"""Builds skreg's optional compiled kernels; all metadata is in pyproject.toml.

The kernels (``skreg._kernels``, from ``skreg/_kernels.pyx``) are an
accelerator, not a requirement: the extension is ``optional``, so where it
cannot be compiled (no C compiler, no Python headers, no Cython) the install
goes on and skreg runs its numpy code, which gives the same bits, only slower.
setuptools compiles the .pyx with Cython (a build requirement) when it can
import it. This file exists for the compiler flags, which pyproject.toml
cannot express per compiler.
"""

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
# The loops are built for the baseline instruction set only (SSE2 on x86-64):
# GCC's target_clones, which picked AVX2 or AVX-512 at load time, needs ifunc,
# which musl does not have. benchmarks/README.md has what it was worth.
# MSVC does not contract under /fp:precise.
_MSVC_FLAGS = ["/O2", "/fp:precise"]


class BuildExt(build_ext):
    def build_extensions(self):
        flags = _MSVC_FLAGS if self.compiler.compiler_type == "msvc" else _GCC_FLAGS
        for extension in self.extensions:
            extension.extra_compile_args = [*flags, *extension.extra_compile_args]
        super().build_extensions()


setup(
    ext_modules=[Extension("skreg._kernels", ["skreg/_kernels.pyx"], optional=True)],
    cmdclass={"build_ext": BuildExt},
)

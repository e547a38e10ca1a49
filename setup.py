"""Builds skreg's optional compiled kernels; all metadata is in pyproject.toml.

The kernels (``skreg._kernels``) are an accelerator, not a requirement: the
extension is ``optional``, so where it cannot be compiled the install goes on
and skreg runs its numpy code, which gives the same bits, only slower.
"""

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# -ffp-contract=off: no fused multiply-add, so each operation rounds as numpy's
# does (the kernels are bit-identical to skreg's numpy code). -fno-math-errno
# lets sqrt compile to the vector instruction (a negative input, which sets
# errno, cannot occur: the argument is a sum of squares). -fno-trapping-math
# lets GCC vectorize the comparisons of bias_relu without AVX-512 (3-5x faster
# with AVX2 or SSE2); it changes no value, only which floating-point exception
# flags may be raised, and nothing reads them.
_GCC_FLAGS = ["-O3", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math"]
# MSVC does not contract by default under /fp:precise.
_MSVC_FLAGS = ["/O2", "/fp:precise"]


class BuildExt(build_ext):
    def build_extensions(self):
        flags = _MSVC_FLAGS if self.compiler.compiler_type == "msvc" else _GCC_FLAGS
        for extension in self.extensions:
            extension.extra_compile_args = [*flags, *extension.extra_compile_args]
        super().build_extensions()


setup(
    ext_modules=[Extension("skreg._kernels", ["skreg/_kernels.c"], optional=True)],
    cmdclass={"build_ext": BuildExt},
)

"""The week DP's compiled kernel (``weekdp.c``), loaded with ctypes when it was built.

``make install`` builds it (``python -m jobs.dispatch.native``, with the C compiler
Python was built with); without it, where it fails to load, or where it was built from
another version of ``weekdp.c`` (the build stamps the source's digest into the library),
``WeekDP`` runs its numpy version, which gives the same weeks' values. ``KERNEL`` is None
then.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
SOURCE = HERE / "weekdp.c"
LIBRARY = HERE / "_weekdp.so"

_i64 = np.ctypeslib.ndpointer(dtype=np.int64, flags="C_CONTIGUOUS")
_f64 = np.ctypeslib.ndpointer(dtype=np.float64, flags="C_CONTIGUOUS")
_i32 = np.ctypeslib.ndpointer(dtype=np.int32, flags="C_CONTIGUOUS")
_u8 = np.ctypeslib.ndpointer(dtype=np.uint8, flags="C_CONTIGUOUS")
_i64_or_null = ctypes.c_void_p


def digest(source: Path = SOURCE) -> str:
    """What the library is built from: the first 16 hex digits of the source's SHA-256."""
    return hashlib.sha256(source.read_bytes()).hexdigest()[:16]


def _load(library: Path = LIBRARY, source: Path = SOURCE) -> Any:
    """The library, if it was built from this very source (a library left from an older
    ``weekdp.c``, whose functions may take other arguments, is never called)."""
    if os.environ.get("WERKSTATION_NO_NATIVE") or not library.exists() or not source.exists():
        return None
    try:
        lib = ctypes.CDLL(str(library))
        lib.weekdp_source.restype = ctypes.c_char_p
        built_from = lib.weekdp_source().decode()
    except (OSError, AttributeError) as exc:
        logger.warning("dispatch: %s not loaded (%s); the slower numpy DP runs", library, exc)
        return None
    if built_from != digest(source):
        logger.warning(
            "dispatch: %s was built from another weekdp.c (make install builds it again); "
            "the slower numpy DP runs",
            library,
        )
        return None
    i64, f64 = ctypes.c_int64, ctypes.c_double
    lib.weekdp_edges.restype = i64
    lib.weekdp_edges.argtypes = [
        i64, _i64, _i64, _f64, _f64, _f64, _f64, _f64, f64, f64, _i64, _i64_or_null,
        _i64_or_null,
    ]  # fmt: skip
    lib.weekdp_run.restype = None
    lib.weekdp_run.argtypes = [
        i64, i64, _i64, _i64, _i64, _u8, _i64, _i64, _f64, _f64, _f64, _i64, _i64, _f64,
        _i64, _i64, f64, _f64, _i64, _i32, _f64, _i64, _i64, _f64, _i64, _f64, _u8,
    ]  # fmt: skip
    return lib


KERNEL = _load()


def build() -> Path:
    """Compile ``weekdp.c`` next to it (raises on failure)."""
    import subprocess
    import sysconfig

    cc = (sysconfig.get_config_var("CC") or shutil.which("cc") or "cc").split()
    if not shutil.which(cc[0]):
        cc = ["cc"]
    tmp = LIBRARY.with_suffix(f".{os.getpid()}.tmp")
    stamp = f'-DWEEKDP_SOURCE="{digest()}"'
    # No fused multiply-adds: the travel test must round as numpy's does (model.py).
    flags = ["-O2", "-shared", "-fPIC", "-ffp-contract=off", stamp]
    command = [*cc, *flags, "-o", str(tmp), str(SOURCE), "-lm"]
    subprocess.run(command, check=True)  # noqa: S603 (Python's own compiler, our source)
    tmp.replace(LIBRARY)
    return LIBRARY

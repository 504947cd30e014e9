"""Database helpers of the kernel: writing many rows at once (``bulk``)."""

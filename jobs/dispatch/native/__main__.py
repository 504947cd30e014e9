"""``python -m jobs.dispatch.native``: build the week DP's compiled kernel."""

import sys

from . import build

if __name__ == "__main__":
    sys.stdout.write(f"built {build()}\n")

"""PyInstaller's entry point: the same `main` as the `slipstation` console script."""

import multiprocessing
import sys

from slipstation.cli import main

if __name__ == "__main__":
    # A frozen app's render workers (slips/batch.py, spawned) start through this same file.
    multiprocessing.freeze_support()
    sys.exit(main())

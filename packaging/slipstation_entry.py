"""PyInstaller's entry point: the same `main` as the `slipstation` console script."""

import sys

from slipstation.cli import main

if __name__ == "__main__":
    sys.exit(main())

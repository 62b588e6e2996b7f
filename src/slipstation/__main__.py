import sys

from slipstation.cli import main

if __name__ == "__main__":  # not when a spawned worker (slips/batch.py) imports it
    sys.exit(main())

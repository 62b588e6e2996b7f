import sys

from slipstation.cli import main

sys.exit(main())

import sys

from trove.cli import main

sys.exit(main())

"""`python -m sitegen.ingest FILE... --publisher NAME [--published YYYY-MM-DD] ...`."""

import sys

from sitegen.ingest.cli import main

sys.exit(main())

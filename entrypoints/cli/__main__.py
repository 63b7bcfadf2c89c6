"""`python -m entrypoints.cli`: the `accredit` command, as the supervisor starts its workers."""

import sys

from entrypoints.cli.main import main

sys.exit(main())

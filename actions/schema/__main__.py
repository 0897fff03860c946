"""`python -m actions.schema PATH [--format text|json] [--max-bytes N]`: see actions/schema/cli.py."""

import sys

from .cli import main

sys.exit(main())

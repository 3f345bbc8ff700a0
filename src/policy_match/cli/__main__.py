"""``python -m policy_match.cli``: the same command line as ``policy-match``."""

import sys

from policy_match.cli import main

sys.exit(main())

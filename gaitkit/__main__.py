"""``python -m gaitkit`` runs the command line."""

import sys

from gaitkit.cli import main

sys.exit(main())

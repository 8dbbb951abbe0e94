"""``python -m benchmarks`` (what ``make bench`` runs); ``--help`` lists the options."""
import sys

from .cli import main

sys.exit(main())

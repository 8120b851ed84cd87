"""``python -m hub_tools.localhub serve --root DIR --port N``: see :mod:`hub_tools.localhub.cli`."""

import sys

from .cli import main

sys.exit(main())

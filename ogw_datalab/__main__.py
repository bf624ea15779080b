"""``python -m ogw_datalab build --config FILE``.

The command runs the Dagster graph, so it lives in ``pipelines.cli``; this shim is the only
place in the library that refers to the Dagster layer, and it does so only when executed.
"""

import sys

if __name__ == "__main__":
    from pipelines.cli import main

    sys.exit(main())

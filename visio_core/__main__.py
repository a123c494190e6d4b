"""`python -m visio_core`: the command line (visio_core.entrypoints.cli)."""

from visio_core.entrypoints.cli import main

raise SystemExit(main())

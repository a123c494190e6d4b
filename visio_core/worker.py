"""`python -m visio_core.worker`: see visio_core.entrypoints.worker."""

from visio_core.entrypoints.worker import main

if __name__ == "__main__":
    raise SystemExit(main())

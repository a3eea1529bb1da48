"""``python -m benchmarks``: run every benchmark and print one table."""

from benchmarks.run import cli

cli()

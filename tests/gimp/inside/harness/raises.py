"""A script that raises: the harness must fail the run and show the message."""

raise RuntimeError("boom from batch")

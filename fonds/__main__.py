"""`python -m fonds` runs the CLI."""

from fonds.cli import app

app()

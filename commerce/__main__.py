"""`python -m commerce` runs the `commerce` command line."""

from .cli.main import main

main()

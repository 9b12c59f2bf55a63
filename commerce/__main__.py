"""`python -m commerce` runs the `commerce` command line."""

from .cli import main

main()

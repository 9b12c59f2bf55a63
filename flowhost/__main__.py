"""python -m flowhost: the flowhost command line."""

from .cli import main

main()

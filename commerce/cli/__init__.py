"""The `commerce` command line: pricing commands, the orders commands and the demo."""

from .main import main

__all__ = ["main"]

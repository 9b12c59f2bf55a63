"""`python -m commerce` runs the `commerce` command line (Ctrl-C: quiet exit 130)."""

from commerce_flows_cli import commerce

commerce()

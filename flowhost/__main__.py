"""python -m flowhost: the flowhost command line (Ctrl-C: quiet exit 130)."""

from commerce_flows_cli import flowhost

flowhost()

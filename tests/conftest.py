"""Session set-up shared by every suite.

The Scheme read cache goes to a temporary directory for the session (subprocesses the
tests start inherit the variable), so no test writes under the user's ~/.cache.
"""

from __future__ import annotations

import os
import shutil
import tempfile

_CACHE = tempfile.mkdtemp(prefix="scheme-read-cache-")
os.environ["COMMERCE_FLOWS_CACHE_DIR"] = os.path.join(_CACHE, "scheme")


def pytest_unconfigure(config: object) -> None:
    shutil.rmtree(_CACHE, ignore_errors=True)

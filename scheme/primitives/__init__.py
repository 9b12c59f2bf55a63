"""The standard procedures. Each module registers its procedures in registry.PRIMITIVES
when imported; `load_all` imports them all (once)."""

from __future__ import annotations

_loaded = False


def load_all() -> None:
    """Import every primitive module so that its procedures are registered."""
    global _loaded
    if _loaded:
        return
    from . import (  # noqa: F401
        chars,
        control,
        io,
        lists,
        numbers,
        predicates,
        promises,
        records,
        strings,
        vectors,
    )

    _loaded = True

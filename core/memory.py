"""Pausing Python's cyclic garbage collector around bulk work that builds millions of small acyclic objects."""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def paused_gc():
    """Reading a 100k-post export or writing a 200k-cell workbook builds millions of small acyclic objects; the
    cyclic collector would rescan them (and everything else alive) again and again — it doubled the VK parse
    time and made the demo workbook 30–50 % slower. Paused for the block, resumed even on errors."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

"""What the server shares: the collector's view after settle()."""
import gc
import weakref

from ui import resources


class Node:
    pass


def test_settle_freezes_what_exists_and_still_collects_what_sessions_leave():
    try:
        resources.settle()
        assert gc.get_freeze_count() > 0       # the modules and what they hold: out of the walks
        a, b = Node(), Node()                  # a session's leftovers, in a reference cycle
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        gc.collect()
        assert gone() is None                  # made after the freeze: collected as ever
    finally:
        gc.unfreeze()
        resources.settle.clear()

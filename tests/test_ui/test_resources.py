"""What the server shares: the collector's view after settle()."""
import gc
import threading
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
        resources.settle.clear()
        resources.settle()  # again, as when Streamlit's cache is cleared: still one collector
        assert sum(t.name == "ffn-collect" for t in threading.enumerate()) == 1
    finally:
        gc.unfreeze()
        resources.settle.clear()


def test_the_servers_own_collection_frees_a_cycle_that_pythons_never_would():
    """With Streamlit's collection after each run off, what a departed session leaves in
    reference cycles is freed by the server's housekeeping, here with Python's own collector off."""
    was = gc.isenabled()
    gc.disable()  # first: nothing else collects the cycle below
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        assert gone() is not None          # nothing has collected it
        resources._housekeeping(0.0, 0.01, rounds=1)
        assert gone() is None
    finally:
        if was:
            gc.enable()


def test_the_server_does_not_collect_after_every_script_run():
    import tomllib
    from pathlib import Path
    config = tomllib.loads((Path(__file__).parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_the_housekeeping_gives_freed_memory_back_and_lets_idle_networks_go(monkeypatch):
    done = []
    monkeypatch.setattr(resources, "_give_back", lambda: done.append("trim"))
    monkeypatch.setattr(resources.networks, "trim", lambda: done.append("networks"))
    resources._housekeeping(0.0, 0.01, rounds=2)
    assert done.count("trim") == 2 and done.count("networks") == 2
    if resources._LIBC is not None and hasattr(resources._LIBC, "malloc_trim"):  # glibc: the real call
        monkeypatch.undo()
        resources._give_back()


def test_the_housekeeping_deletes_the_classes_past_their_time(tmp_path, monkeypatch):
    """The board's expired classes go by themselves: the first round, then every CLASSES_EVERY s."""
    import sqlalchemy as sa

    from board.store import Store
    from ui import classroom

    now = [1_000_000.0]
    store = Store(f"sqlite:///{tmp_path / 'classes.db'}", clock=lambda: now[0]).create()
    old, _key = store.new_class(days=1)
    now[0] += 86400 / 2
    young, _key = store.new_class(days=1)
    now[0] += 86400 / 2 + 1  # the first one's day is over
    monkeypatch.setattr(classroom, "_store", store)
    resources._housekeeping(3600.0, 0.01, rounds=1)
    assert store.info(young)["code"] == young
    with store.engine.connect() as c:  # gone, with all it held
        assert [r.code for r in c.execute(sa.text("select code from classes"))] == [young]

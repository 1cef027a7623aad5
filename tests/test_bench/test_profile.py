"""bench/support/profile.py: py-spy's raw stacks added up by function."""
from bench.support.profile import summary


def test_samples_are_added_up_by_function_inclusively_and_once_a_stack(tmp_path):
    raw = tmp_path / "p-1.txt"
    raw.write_text("run (threading.py:10);<module> (app.py:5);render (ui/live.py:80) 6\n"
                   "run (threading.py:10);<module> (app.py:5);render (ui/live.py:91) 2\n"
                   "run (threading.py:10);collect (gc.py:1);collect (gc.py:1) 2\n")
    lines = summary([raw], top=5)
    assert lines[0].strip().startswith("10 samples")
    mine = lines[1:lines.index("  every function, inclusive:")]
    # a function's lines are one function; app.py holds its callee's samples too
    assert sorted(m.split(None, 1) for m in mine) == [["80.0%", "<module> (app.py)"],
                                                     ["80.0%", "render (ui/live.py)"]]
    every = lines[lines.index("  every function, inclusive:") + 1:]
    assert "100.0%  run (threading.py)" in every[0]
    assert any("20.0%  collect (gc.py)" in e for e in every)  # a recursive frame counted once a stack

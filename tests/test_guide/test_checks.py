"""What a step checks before it moves the student on."""
import numpy as np

from guide.checks import CHECKS, Check, Seen, gap, met

FINISHED = ("finished", {"iterations": 100})


def test_each_check_against_what_the_page_saw():
    low = Seen(outcome=FINISHED, final={"train": 1.0, "valid": 0.88, "test": 0.9}, loss=[0.1] * 60)
    stuck = Seen(outcome=FINISHED, final={"train": 0.11, "valid": 0.1, "test": 0.1}, loss=[2.302] * 60)
    running = Seen(loss=[2.0] * 10 + [0.4] * 50)
    assert met(Check("run_finished"), low) and not met(Check("run_finished"), running)
    assert met(Check("loss_below", {"value": 0.5}), running)  # while training, as soon as it gets there
    assert not met(Check("loss_below", {"value": 0.5}), stuck)
    above = Check("loss_above", {"value": 2.0})
    assert met(above, stuck) and not met(above, running)
    assert met(Check("stalled"), stuck) and not met(Check("stalled"), low)
    assert met(Check("stalled"), Seen(advice=("stalled", {})))
    assert met(Check("stalled"), Seen(advice=("stalled_deep", {})))
    assert met(Check("diverged"), Seen(outcome=("diverged", {}))) and not met(Check("diverged"), low)
    assert met(Check("accuracy_above", {"value": 0.89, "series": "test"}), low)
    assert not met(Check("accuracy_above", {"value": 0.95, "series": "test"}), low)
    assert gap(low.final) == np.float64(100 * (1.0 - 0.88))
    assert met(Check("gap_above", {"value": 5.0}), low) and not met(Check("gap_below", {"value": 5.0}), low)
    assert met(Check("gap_below", {"value": 5.0}), stuck)
    seven = Check("read_as", {"digit": 7})
    assert met(seven, Seen(read_as=7)) and not met(seven, Seen())
    assert met(Check("tab_open", {"tab": "draw"}), Seen(tab="draw"))
    assert met(Check("view_open", {"view": "inside"}), Seen(view="inside"))
    assert met(Check("stepped"), Seen(stepped=True)) and not met(Check("stepped"), Seen())


def test_every_check_kind_is_understood():
    for kind, needs in CHECKS.items():
        values = {k: (allowed[0] if allowed else 1.0) for k, (_t, allowed) in needs.items()}
        assert met(Check(kind, values), Seen()) in (True, False)

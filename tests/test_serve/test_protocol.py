"""The wire between the pool and its workers: every message there and back, and what is not one."""
import dataclasses
import multiprocessing

import numpy as np
import pytest

import ffn
from ffn.settings import Limits, run_length
from serve import protocol
from serve.protocol import (COMMANDS, GRADCHECK, MESSAGES, Cancel, Cancelled, Done, Error, Fork, Forked, Job,
                            Pause, Paused, ProtocolError, Ready, Report, Start, Stop, from_wire, to_wire)

CHECK = Job(ffn.preset("fast", hidden_size_list=(64, 32)), Limits(max_units=512), 2000, 25, task=GRADCHECK,
            params=np.arange(5.0), command="a test")
STEPPER = Job(ffn.TrainSettings(lr_schedule="cosine", augment=True), Limits(), 500, 10)

EVERY_MESSAGE = [
    Start(7, CHECK, chunk=0.2),
    Start(8, STEPPER, chunk=0.05, checkpoint="/tmp/ffn-x/ab.npz", step=True,
          stop_now=True, spool="/tmp/ffn-x"),
    Stop(7), Pause(7), Cancel(7), Fork(7, stop=True), Fork(7, pause=True),
    Ready(1234),
    Report(7, {"loss": [2.3, 2.2], "snapshot_w1": [{"iteration": 2, "W": np.zeros((784, 4), np.float32)}]},
           {"iteration": 2, "fraction": 0.1}, ("stalled", {"iteration": 2})),
    Paused(7, 2, "/tmp/ffn-x/cd.npz"),
    Done(7, 2, status="finished", outcome=("finished", {"iterations": 2, "epochs": 0.5}),
         final={"train": 0.5}, model=b"PK\x03\x04"),
    Forked(7, 40, outcome=("stopped", {"iteration": 40, "total": 100}), final={"test": 0.9}, model=b"PK"),
    Forked(7, 40, checkpoint="/tmp/ffn-x/ef.npz"),
    Cancelled(7),
    Error(7, "settings", "the learning rate is out of range"),
]


def same(a, b):
    """Equal, arrays and all: messages compared field by field."""
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name))
                                          for f in dataclasses.fields(a))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    return type(a) is type(b) and a == b


def plain(value):
    """Whether ``value`` is made of builtins and NumPy arrays only."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(plain(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str, bytes, np.ndarray))


def test_the_examples_cover_every_kind():
    assert {type(m) for m in EVERY_MESSAGE} == set(COMMANDS) | set(MESSAGES) == set(protocol.KINDS.values())


@pytest.mark.parametrize("msg", EVERY_MESSAGE, ids=lambda m: type(m).__name__)
def test_every_message_round_trips_through_the_wire_as_builtins(msg):
    wire = to_wire(msg)
    assert isinstance(wire, tuple) and protocol.KINDS[wire[0]] is type(msg) and plain(wire)
    assert same(from_wire(wire), msg)


def test_a_job_keeps_its_settings_whole():
    job = from_wire(to_wire(Start(1, CHECK, chunk=0.2))).job
    assert job.settings == CHECK.settings and job.settings.hidden_size_list == (64, 32)
    assert job.limits == CHECK.limits and job.task == GRADCHECK and job.command == "a test"


def test_both_ends_of_a_pipe_read_only_what_comes_their_way():
    pool_end, worker_end = multiprocessing.Pipe()
    try:
        start = Start(3, STEPPER, chunk=0.2)
        protocol.send(pool_end, start)
        assert same(protocol.receive(worker_end, COMMANDS), start)
        protocol.send(worker_end, Ready(99))
        assert protocol.receive(pool_end, MESSAGES) == Ready(99)
        protocol.send(pool_end, Ready(99))
        with pytest.raises(ProtocolError, match="a Ready message goes the other way"):
            protocol.receive(worker_end, COMMANDS)
    finally:
        pool_end.close()
        worker_end.close()


@pytest.mark.parametrize("data, message", [
    (("launch", 1), "unknown message kind 'launch'"),
    (["stop", 1], "a message is a tuple"),
    ((), "a message is a tuple"),
    ((3, 1), "a message is a tuple"),
    (None, "a message is a tuple"),
    (("stop",), r"a 'stop' message carries 1 value\(s\) \(job_id\), got 0"),
    (("fork", 1, True, False, 3), r"carries 3 value\(s\) \(job_id, stop, pause\), got 4"),
    (("run", 1, "a job", 0.2, None, False, False, None), "not a job"),
    (("run", 1, {"settings": {}}, 0.2, None, False, False, None), "not a job"),
    (("run", 1, {**to_wire(Start(1, CHECK, 0.2))[2], "task": "sprint"}, 0.2, None, False, False, None),
     "task must be one of"),
    (("run", 1, {**to_wire(Start(1, CHECK, 0.2))[2], "colour": "red"}, 0.2, None, False, False, None),
     "not a job"),
])
def test_a_malformed_message_raises_a_clear_error(data, message):
    with pytest.raises(ProtocolError, match=message):
        from_wire(data)


def test_only_messages_go_on_the_wire():
    with pytest.raises(ProtocolError, match="not a message"):
        to_wire(("stop", 1))


def test_a_job_checks_its_task_and_takes_its_length_from_its_settings():
    with pytest.raises(ValueError, match="task must be one of"):
        Job(ffn.TrainSettings(), Limits(), 500, 10, task="sprint")
    s = ffn.TrainSettings(iters=300, batch_size=64)
    assert Job(s, Limits(), 500, 10).length() == (300, 64) == run_length(s)[:2]
    by_epochs = ffn.TrainSettings(epochs=2, batch_size=100, train_size=1000)
    assert Job(by_epochs, Limits(), 500, 10).length() == (20, 100)
    assert Job(s, Limits(), 500, 10, task=GRADCHECK).length() == (0, 0)


def test_points_merge_by_one_rule_a_snapshot_keeping_only_its_latest():
    from serve.protocol import SNAPSHOT, merge_points

    history = {"loss": [2.3], SNAPSHOT + "w1": ["old"]}
    merge_points(history, {"loss": [2.2, 2.1], "valid_acc": [0.4], SNAPSHOT + "w1": ["a", "b"]})
    assert history == {"loss": [2.3, 2.2, 2.1], "valid_acc": [0.4], SNAPSHOT + "w1": ["b"]}

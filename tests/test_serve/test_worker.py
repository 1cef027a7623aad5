"""The worker's loop, driven through a pipe as the pool drives it."""
import multiprocessing
import threading

import pytest

import ffn
from ffn.settings import Limits
from serve import protocol, worker
from serve.protocol import MESSAGES, Done, Error, Job, Ready, Start


def answer(conn):
    """The worker's next message, or a failure if it sends none within 30 s (it died)."""
    assert conn.poll(30), "the worker said nothing"
    return protocol.receive(conn, MESSAGES)


@pytest.mark.timeout(120)
def test_a_start_whose_job_cannot_be_read_is_refused_and_the_worker_serves_the_next():
    pool_end, worker_end = multiprocessing.Pipe()
    loop = threading.Thread(target=worker.main, args=(worker_end,),
                            kwargs={"nice": 0},
                            daemon=True)
    loop.start()
    assert isinstance(answer(pool_end), Ready)
    s = ffn.preset("article_he", train_size=500, iters=5, batch_size=50)
    good = Start(2, Job(s, Limits(), eval_size=100, evals_per_run=2), chunk=0.05)
    bad = protocol.to_wire(Start(1, good.job, chunk=0.05))
    bad[2]["settings"]["no_such_setting"] = 1  # as a newer server's job might read to an older worker
    pool_end.send(bad)
    refused = answer(pool_end)
    assert isinstance(refused, Error) and (refused.job_id, refused.code) == (1, "settings")
    assert "no_such_setting" in refused.text
    protocol.send(pool_end, good)
    while not isinstance(msg := answer(pool_end), Done):
        assert msg.job_id == 2
    assert msg.job_id == 2 and msg.iteration == 5
    pool_end.close()  # the worker exits when its pipe closes
    loop.join(30)
    assert not loop.is_alive()

"""The cost of a run: its work grows as its network, batch and length do, and what is left
of it follows the run's progress."""
from dataclasses import replace

import numpy as np
import pytest

import ffn
from ffn.health import Health
from ffn.settings import Limits, build_trainer
from serve.cost import RunPlan, image_terms, run_parts, run_work, step_terms, work_done
from serve.protocol import GRADCHECK, Job

ARTICLE = ffn.TrainSettings()  # 784-64-32-10, SGD, batch 200, 5000 iterations


def job(settings=ARTICLE, task="train", eval_size=2000, evals_per_run=25, **changes):
    return Job(replace(settings, **changes), Limits(), eval_size, evals_per_run, task=task)


def train_work(**changes):
    return run_parts(job(**changes))["train"]


def test_an_images_matrix_products_are_counted_layer_by_layer():
    forward = 784 * 64 + 64 * 32 + 32 * 10
    assert image_terms(ARTICLE)["mac"] == forward
    # backward: dW of every layer, dx of all but the first (the data needs no gradient)
    assert image_terms(ARTICLE, train=True)["mac"] == 3 * forward - 784 * 64


def test_doubling_the_iterations_doubles_the_training_part():
    assert train_work(iters=2000) == pytest.approx(2 * train_work(iters=1000))


def test_the_whole_run_grows_with_its_iterations_but_less_than_they_do():
    """Building, the final accuracy and the evaluations (about as many whatever the length) stay."""
    short, long = run_work(job(iters=1000)), run_work(job(iters=2000))
    assert short < long < 2 * short


def test_the_training_part_grows_with_the_batch_by_the_same_amount_per_image():
    """Each image adds the same; a fixed part per iteration (Python, the optimizer) stays."""
    w = {b: train_work(batch_size=b) for b in (100, 200, 300)}
    assert w[300] - w[200] == pytest.approx(w[200] - w[100])
    assert w[100] < w[200] < 2 * w[100]


@pytest.mark.parametrize("narrow, wide", [(64, 128), (128, 256), (256, 512)])
def test_a_wider_network_costs_more_per_image(narrow, wide):
    a, b = (step_terms(replace(ARTICLE, hidden_size=h), 1) for h in (narrow, wide))
    assert b["mac"] > 2 * a["mac"]  # the first layer doubles, the second (H x H/2) quadruples
    assert train_work(hidden_size=wide) > 1.5 * train_work(hidden_size=narrow)


def test_each_hidden_layer_adds_its_three_products_per_image():
    h, batch = 128, 64
    two, three = (step_terms(replace(ARTICLE, hidden_size=h, depth=d), batch)["mac"] for d in (2, 3))
    assert three - two == 3 * batch * h * h
    assert train_work(hidden_size=h, depth=6) > train_work(hidden_size=h, depth=3) > train_work(hidden_size=h)


@pytest.mark.parametrize("changes", [{"optimizer": "adam"}, {"normalization": "batch"}, {"dropout": 0.2},
                                     {"augment": True}, {"activation": "sigmoid"}, {"weight_decay": 1e-4}])
def test_each_trick_costs_more_than_the_plain_run(changes):
    assert train_work(**changes) > train_work()


def test_work_done_is_none_at_the_start_and_short_of_the_whole_at_the_end():
    j = job()
    total = RunPlan(j).iterations
    assert work_done(j, 0) == 0.0
    assert run_work(j) - work_done(j, total) == pytest.approx(run_parts(j)["final"])
    assert 0 < work_done(j, total) < run_work(j)
    assert work_done(j, total + 100) == work_done(j, total)


def test_work_done_grows_with_every_iteration():
    j = job(iters=700, batch_size=64)
    done = [work_done(j, it) for it in range(701)]
    assert all(b > a for a, b in zip(done, done[1:]))


def test_a_gradient_check_costs_little_beside_a_run_and_is_never_done():
    for name in ("article", "article_he", "fast"):
        s = ffn.preset(name)
        assert run_work(job(s, task=GRADCHECK)) < run_work(job(s)) / 5
        assert work_done(job(s, task=GRADCHECK), 10) == 0.0
    assert run_work(job(task=GRADCHECK, hidden_size=512)) > run_work(job(task=GRADCHECK))


@pytest.mark.parametrize("changes", [{"iters": 60, "batch_size": 16}, {"iters": 997, "batch_size": 8},
                                     {"epochs": 3.5, "batch_size": 64}, {"iters": 1, "batch_size": 4}])
@pytest.mark.parametrize("evals_per_run", [25, 0, 3])
def test_the_plan_counts_the_evaluations_and_health_points_a_trainer_makes(mnist, changes, evals_per_run):
    (x, t), _ = mnist
    s = replace(ARTICLE, hidden_size=8, train_size=300, **changes)
    j = job(s, eval_size=100, evals_per_run=evals_per_run)
    tr = build_trainer(s, x, t, eval_size=100, evals_per_run=evals_per_run)
    plan = RunPlan(j)
    assert (plan.iterations, plan.batch, plan.eval_every) == (tr.total_iters, tr.batch_size, tr.eval_every)
    evals, points = [], []
    while not tr.done:
        tr.step(max_iters=1)
        evals.append(len(tr.history["eval_iteration"]))
        points.append(len(tr.history["health_iteration"]))
    assert evals == [plan.evaluations(it) for it in range(1, plan.iterations + 1)]
    assert points == [plan.health_points(it) for it in range(1, plan.iterations + 1)]


@pytest.mark.parametrize("iters, batch", [(5000, 200), (20000, 16), (1464, 1024), (101, 100)])
def test_the_plan_spaces_health_points_as_health_does(iters, batch):
    plan = RunPlan(job(iters=iters, batch_size=batch))
    health = Health(ffn.MultiLayerNet(784, [4], 10), np.zeros((1, 784)), plan.iterations, plan.eval_every)
    due = np.cumsum([health.due(i) for i in range(1, plan.iterations + 1)])
    for it in (1, 2, plan.eval_every, plan.iterations // 2, plan.iterations - 1, plan.iterations):
        assert plan.health_points(it) == due[it - 1]

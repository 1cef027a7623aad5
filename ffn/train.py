"""Command line: ``python -m ffn.train`` trains on MNIST with the article's defaults.

Examples
--------
python -m ffn.train                                  # the article's exact run (stalls)
python -m ffn.train --preset article_he              # the same network, He init
python -m ffn.train --preset fast --out weights/fast.npz
python -m ffn.train --preset deep_stuck               # five Sigmoid layers: stalls
python -m ffn.train --preset deep_stuck --normalization batch   # the same with batch norm: learns
"""
import argparse
import shlex
import sys
import time
from dataclasses import fields

from .mnist import load_mnist
from .model_io import save_model
from .notes import describe
from .settings import CHOICES, PRESETS, TrainSettings, build_trainer, preset, run_metadata
_HELP = {
    "hidden_size": "H: hidden layers are H and H//2 (the article: 64)",
    "depth": "hidden layers: depth-1 of H units, then H//2 (the article: 2)",
    "hidden_size_list": "explicit hidden sizes, e.g. 512 256 (overrides --hidden-size and --depth)",
    "activation": "activation of the hidden layers",
    "weight_init": "std: a fixed std (the article's 0.01); he: sqrt(2/fan_in); xavier: sqrt(1/fan_in)",
    "weight_init_std": "std of the initial weights with --weight-init std",
    "optimizer": "update rule",
    "learning_rate": "learning rate",
    "lr_schedule": "learning rate over the run",
    "batch_size": "mini-batch size",
    "iters": "iterations (ignored when --epochs is set)",
    "epochs": "passes over the training set (overrides --iters)",
    "weight_decay": "L2 weight decay lambda",
    "valid_ratio": "fraction held out for validation (the first ones, as in the article)",
    "train_size": "use only this many training images (0 = all)",
    "augment": "randomly distort training batches (rotation, scale, shear, shift, stroke width)",
    "normalization": "batch or layer normalisation after each hidden Affine, before its activation",
    "dropout": "share of hidden units dropped at random while training (0 = none)",
    "residual": "skip connections x + F(x) around hidden layers of equal size",
    "seed": "random seed (weights, batch order, augmentation, dropout)",
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m ffn.train", description=__doc__.split("\n")[0])
    p.add_argument("--preset", choices=sorted(PRESETS), help="start from a preset; flags override it")
    defaults = TrainSettings()
    for f in fields(TrainSettings):
        flag = "--" + f.name.replace("_", "-")
        if f.type is bool or f.type == "bool":
            p.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=_HELP[f.name])
        elif f.name == "hidden_size_list":
            p.add_argument(flag, type=int, nargs="+", default=None, help=_HELP[f.name])
        else:
            default = getattr(defaults, f.name)
            p.add_argument(flag, type=type(default), default=None, choices=CHOICES.get(f.name),
                           metavar=f.name.upper() if f.name not in CHOICES else None,
                           help=f"{_HELP[f.name]} (default {default!r})")
    p.add_argument("--out", help="write the trained model to this .npz file")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p.parse_args(argv)


def settings_from_args(args):
    changes = {f.name: getattr(args, f.name) for f in fields(TrainSettings)
               if getattr(args, f.name) is not None}
    if "hidden_size_list" in changes:
        changes["hidden_size_list"] = tuple(changes["hidden_size_list"])
    return preset(args.preset, **changes) if args.preset else TrainSettings(**changes)


def _bar(tr, width=30):
    p = tr.progress()
    done = int(width * p["fraction"])
    left = "" if p["seconds_left"] is None else f" {p['seconds_left']:4.0f}s left"
    acc = tr.history["valid_acc"] or tr.history["train_acc"]
    return (f"\r[{'#' * done}{'.' * (width - done)}] {p['iteration']}/{p['total_iters']} "
            f"epoch {p['epoch']:.1f} loss {p['loss'] or 0:.4f} acc {acc[-1]:.3f} "
            f"{p['samples_per_sec']:,.0f} img/s{left}  ")


def main(argv=None):
    args = parse_args(argv)
    try:
        s = settings_from_args(args)
        (x, t), (x_test, t_test) = load_mnist()
        tr = build_trainer(s, x, t)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    warned = False
    while not tr.done:
        tr.step(max_seconds=0.5)
        if not args.quiet:
            print(_bar(tr), end="", file=sys.stderr, flush=True)
        if tr.advice and not warned:
            print(f"\nnote: {describe(tr.advice)}", file=sys.stderr)
            warned = True
    wall = time.perf_counter() - start
    if not args.quiet:
        print(file=sys.stderr)
    acc = tr.final_accuracy(x_test, t_test)
    print(describe(tr.outcome))
    print(f"layers: 784-{'-'.join(map(str, s.hidden_sizes()))}-10  {s.activation}  init {s.weight_init}  "
          f"{s.optimizer} lr {s.learning_rate:g} ({s.lr_schedule})  batch {s.batch_size}"
          + "".join(f"  {t}" for t, on in ((f"{s.normalization} norm", s.normalization != "none"),
                                          (f"dropout {s.dropout:g}", s.dropout > 0), ("residual", s.residual)) if on))
    print(f"time: {wall:.1f} s wall, {tr.train_seconds:.1f} s in training steps, "
          f"{tr.progress()['samples_per_sec']:,.0f} images/s")
    print("accuracy: " + ", ".join(f"{k} {v:.4f}" for k, v in acc.items()))
    if args.out:
        command = "python -m ffn.train " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
        tr.net.meta.update(run_metadata(tr, s, acc, command))
        save_model(tr.net, args.out)
        print(f"saved: {args.out}")
    return 1 if tr.status == "diverged" else 0


if __name__ == "__main__":
    sys.exit(main())

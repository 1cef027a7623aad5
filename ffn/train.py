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
from .presets import PRESETS, preset
from .settings import CHOICES, TrainSettings, build_trainer, run_metadata


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m ffn.train", description=__doc__.split("\n")[0])
    p.add_argument("--preset", choices=sorted(PRESETS), help="start from a preset; flags override it")
    defaults = TrainSettings()
    for f in fields(TrainSettings):
        flag = "--" + f.name.replace("_", "-")
        text = f.metadata["help"]
        if f.type is bool or f.type == "bool":
            p.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=text)
        elif f.name == "hidden_size_list":
            p.add_argument(flag, type=int, nargs="+", default=None, help=text)
        else:
            default = getattr(defaults, f.name)
            p.add_argument(flag, type=type(default), default=None, choices=CHOICES.get(f.name),
                           metavar=f.name.upper() if f.name not in CHOICES else None,
                           help=f"{text} (default {default!r})")
    p.add_argument("--out", help="write the trained model to this .npz file")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p.parse_args(argv)


def settings_from_args(args):
    """The settings the command line asks for: its preset, if any, then each flag given over it."""
    changes = {f.name: getattr(args, f.name) for f in fields(TrainSettings)
               if getattr(args, f.name) is not None}
    base = preset(args.preset).to_dict() if args.preset else {}
    return TrainSettings.from_dict({**base, **changes})


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
    warned = None  # the code of the note printed while training
    while not tr.done:
        tr.step(max_seconds=0.5)
        if not args.quiet:
            print(_bar(tr), end="", file=sys.stderr, flush=True)
        if tr.advice and not warned:
            print(f"\nnote: {describe(tr.advice)}", file=sys.stderr)
            warned = tr.advice[0]
    wall = time.perf_counter() - start
    if not args.quiet:
        print(file=sys.stderr)
    acc = tr.final_accuracy(x_test, t_test)
    print(describe(tr.outcome))
    if tr.advice and tr.advice[0] != warned:  # the note changed since (a stall that ended): its last word
        print(f"note: {describe(tr.advice)}")
    tricks = ((f"{s.normalization} norm", s.normalization != "none"),
              (f"dropout {s.dropout:g}", s.dropout > 0), ("residual", s.residual))
    print(f"layers: {'-'.join(map(str, s.layer_sizes()))}  {s.activation}  init {s.weight_init}  "
          f"{s.optimizer} lr {s.learning_rate:g} ({s.lr_schedule})  batch {s.batch_size}"
          + "".join(f"  {t}" for t, on in tricks if on))
    print(f"time: {wall:.1f} s wall, {tr.train_seconds:.1f} s in training steps, "
          f"{tr.progress()['samples_per_sec']:,.0f} images/s")
    print("accuracy: " + ", ".join(f"{k} {v:.4f}" for k, v in acc.items()))
    if args.out:
        args_given = argv if argv is not None else sys.argv[1:]
        command = "python -m ffn.train " + " ".join(shlex.quote(a) for a in args_given)
        tr.net.meta.update(run_metadata(tr, s, acc, command))
        save_model(tr.net, args.out)
        print(f"saved: {args.out}")
    return 1 if tr.status == "diverged" else 0


if __name__ == "__main__":
    sys.exit(main())

"""What augmentation costs per epoch, and how long MNIST takes to load.

    python -m bench.augment_speed

Times one epoch of the bundled model's architecture (784-512-256-10, Adam, batch 128)
with and without augmentation, best of two each, and load_mnist() three times.
Target: an augmented epoch at most about twice a plain one; loading well under 1 s.
"""
import argparse
import time

import ffn


def epoch(x, t, augment):
    net = ffn.MultiLayerNet(784, [512, 256], 10, weight_init="he", seed=0)
    tr = ffn.Trainer(net, ffn.Adam(2e-3), x, t, batch_size=128, epochs=1, eval_every=10 ** 9,
                     eval_size=1, augment=ffn.Augment() if augment else None, seed=0)
    t0 = time.perf_counter()
    tr.step()
    return time.perf_counter() - t0


def main():
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()  # no options: --help
    loads = []
    for _ in range(3):
        t0 = time.perf_counter()
        (x, t), _ = ffn.load_mnist()
        loads.append(time.perf_counter() - t0)
    print(f"load_mnist(): {', '.join(f'{s:.2f}' for s in loads)} s (target well under 1 s)")
    plain = min(epoch(x, t, False) for _ in range(2))
    aug = min(epoch(x, t, True) for _ in range(2))
    print(f"one epoch, 784-512-256-10, batch 128: plain {plain:.2f} s, augmented {aug:.2f} s, "
          f"ratio {aug / plain:.2f} (target about 2 or less)")


if __name__ == "__main__":
    main()

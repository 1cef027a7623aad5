"""The model-file fuzz test in its long mode: many more mutations, a fresh random seed.

    python -m bench.fuzz_model_io [--examples 20000]

Runs tests/test_ffn/test_model_io_fuzz.py with FFN_FUZZ_EXAMPLES examples per mutation kind
(bit flips, truncation, member renames, meta edits, header edits) and prints how many
files were tried, how long it took and whether any escaped as something other than a
ValueError or cost more memory than allowed.
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--examples", type=int, default=20000, help="examples per mutation kind")
    args = p.parse_args()
    env = {**os.environ, "FFN_FUZZ_EXAMPLES": str(args.examples), "FFN_FUZZ_RANDOM": "1"}
    t0 = time.perf_counter()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "test_fuzz",
               "tests/test_ffn/test_model_io_fuzz.py"]
    r = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    print(r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr[-2000:])
    verdict = ("none escaped load_model's ValueError or its memory bound" if r.returncode == 0
               else "FAILURES above")
    print(f"{5 * args.examples:,} mutated model files in {seconds:.0f} s "
          f"({5 * args.examples / seconds:,.0f} per second): " + verdict)
    if r.returncode:
        print(r.stdout[-6000:])
    sys.exit(r.returncode)


if __name__ == "__main__":
    main()

"""What ``import rnn_zoo`` and a first zoo layer cost on each Keras backend (a benchmark, not a
test): each measured in a fresh process, ``--repeats`` times, the median printed.

* ``import rnn_zoo``: the package alone (it imports neither Keras nor a backend);
* ``+ from rnn_zoo import GRU``: Keras and the backend, loaded on first use of a layer;
* peak resident memory of the process after both (``ru_maxrss``);
* ``rnn-zoo --help``: the command line's start.

Run ``python bench/import_cost.py --help`` for the options.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

from machine import describe

PROBE = """
import resource, time
start = time.perf_counter()
import rnn_zoo
package = time.perf_counter() - start
from rnn_zoo import GRU
layer = time.perf_counter() - start
import sys
import time
print(package, layer, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
      int("tensorflow" in sys.modules))
"""


def run(command, env):
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return out.stdout.split()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"# import_cost: {' '.join(sys.argv)}\n{describe()}\n")
    print("| backend | import rnn_zoo (s) | + from rnn_zoo import GRU (s) | peak memory (MB) | "
          "TensorFlow imported |")
    print("| --- | ---: | ---: | ---: | --- |")
    for backend in ("tensorflow", "jax", "torch"):
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
        rows = [run([sys.executable, "-c", PROBE], env) for _ in range(args.repeats)]
        package, layer, memory = (statistics.median(float(r[i]) for r in rows) for i in range(3))
        print(f"| {backend} | {package:.3f} | {layer:.2f} | {memory:,.0f} | "
              f"{'yes' if rows[0][3] == '1' else 'no'} |", flush=True)
    script = os.path.join(os.path.dirname(sys.executable), "rnn-zoo")
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        subprocess.run([script, "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    print(f"\nrnn-zoo --help: {statistics.median(times):.2f} s (median of {args.repeats})")


if __name__ == "__main__":
    main()

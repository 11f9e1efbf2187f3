# The Python side of NpyAppendArrayComparison: the same appends through npy-append-array, timed
# from the constructor to close (as the Java side is), printed in nanoseconds.
#   rows PATH N REWRITE     N single-row appends of shape (1, 8) float64, row[0] = i
#   blocks PATH N REWRITE   N appends of (16384, 8) float64 blocks (1 MiB each)
import sys
import time

import numpy as np
from npy_append_array import NpyAppendArray

mode, path, n, rewrite = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "true"
if mode == "rows":
    row = np.zeros((1, 8), dtype="<f8")
    t0 = time.perf_counter_ns()
    with NpyAppendArray(path, rewrite_header_on_append=rewrite) as a:
        for i in range(n):
            row[0, 0] = i
            a.append(row)
    print(time.perf_counter_ns() - t0)
elif mode == "blocks":
    block = np.arange(16384 * 8, dtype="<f8").reshape(16384, 8)
    t0 = time.perf_counter_ns()
    with NpyAppendArray(path, rewrite_header_on_append=rewrite) as a:
        for _ in range(n):
            a.append(block)
    print(time.perf_counter_ns() - t0)
else:
    raise SystemExit("unknown mode " + mode)

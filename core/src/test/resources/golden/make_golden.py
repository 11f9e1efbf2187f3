"""Writes the golden .npy files GoldenFilesTest checks, next to this script.

Run once with numpy (made with numpy 2.4, Python 3.11):  python3 make_golden.py
The files are committed; the test needs no numpy. Re-running must give the same bytes.
"""
import os
import warnings

import numpy as np

warnings.simplefilter("ignore")  # format 3.0 warning
HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, array):
    np.save(os.path.join(HERE, name), array)


# float64, C order, 2-D
save("f8_c_2d.npy", np.arange(6, dtype="<f8").reshape(2, 3))
# big-endian int32, 1-D
save("i4_big_endian.npy", (np.arange(5) - 2).astype(">i4"))
# float32 in Fortran order
save("f4_fortran.npy", np.asfortranarray(np.arange(12, dtype="<f4").reshape(3, 4)))
# 0-d float64
save("f8_scalar.npy", np.array(3.5))
# record with a nested record, a 2-D sub-array and bytes
rec = np.dtype([("id", "<i4"), ("pos", [("x", "<f4"), ("y", "<f4")]), ("m", "<f8", (2, 2)), ("tag", "S3")])
a = np.zeros(3, rec)
a["id"] = [1, 2, 3]
a["pos"]["x"] = [0.5, 1.5, 2.5]
a["tag"] = [b"abc", b"d", b""]
save("record_nested_subarray.npy", a)
# aligned record: padding inside and at the end
save("record_aligned.npy", np.zeros(2, np.dtype([("a", "u1"), ("b", "<i8"), ("c", "<u2")], align=True)))
# fixed-width strings
save("unicode_u5.npy", np.array(["a", "h\u00e9llo", "\u540d\u524d"], dtype="<U5"))
save("bytes_s4.npy", np.array([b"ab", b"cdef"], dtype="S4"))
# datetime64[ns] with NaT
save("datetime_ns.npy", np.array(["2024-01-02T03:04:05.000000006", "NaT"], dtype="M8[ns]"))
# a field name outside latin-1 forces format 3.0
save("v3_utf8_name.npy", np.array([(1,), (-2,)], dtype=[("\u540d\u524d", "<i2")]))

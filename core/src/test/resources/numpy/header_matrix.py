# Used by HeaderNumpyCompatTest, run through testing.Numpy (np, sys, json are already imported).
#
#   matrix <dir>      numpy writes one .npy file per (dtype, order, shape) case into <dir> and prints,
#                     per case, what numpy itself reads back from that file.
#   headers <hex>     <hex> is UTF-8 text, one "descr<TAB>fortran(0/1)<TAB>shape(a,b,...)" per line;
#                     prints, per line, the header bytes np.save writes for that array (hex).
#
# Output is one tab-separated line per case, ASCII only (text fields are hex of their UTF-8).
import ast
import io
import os
import warnings

from numpy.lib import _format_impl as fmt

warnings.simplefilter("ignore")  # np.save warns when it has to use format 2.0 or 3.0
BIG = 1 << 30  # max_header_size for numpy's own reads: we want numpy's answer, not its limit


def hx(s):
    return s.encode("utf-8").hex()


def header_text(descr, fortran, shape):
    """The header text np.save builds before wrapping (dict repr plus the growth-axis spare)."""
    d = {"descr": descr, "fortran_order": fortran, "shape": shape}
    text = "{" + "".join(f"'{k}': {v!r}, " for k, v in sorted(d.items())) + "}"
    if shape:
        text += " " * (fmt.GROWTH_AXIS_MAX_DIGITS - len(repr(shape[-1 if fortran else 0])))
    return text


def npsave(path, dt, fortran, shape):
    """np.save of zeros; when numpy would not mark the array Fortran-ordered (0-d, 1-d, empty or
    single-element arrays are also C-contiguous) the header comes from the same writer np.save
    uses, fed the dict np.save would build for a Fortran array."""
    a = np.zeros(shape, dt, order="F" if fortran else "C")
    if fmt.header_data_from_array_1_0(a)["fortran_order"] == fortran and a.dtype == dt:
        np.save(path, a)
        return "save"
    with open(path, "wb") as f:
        fmt._write_array_header(f, {"descr": fmt.dtype_to_descr(dt), "fortran_order": fortran, "shape": shape})
        f.write(a.tobytes(order="F" if fortran else "C"))
    return "writer"


def header_only(path, descr, fortran, shape):
    with open(path, "wb") as f:
        fmt._write_array_header(f, {"descr": descr, "fortran_order": fortran, "shape": shape})
    return "header-only"


def explicit_versions(descr, fortran, shape):
    """Headers np.lib.format writes when told the version, for every version that can hold it."""
    out = []
    for v in [(1, 0), (2, 0), (3, 0)]:
        b = io.BytesIO()
        try:
            fmt._write_array_header(b, {"descr": descr, "fortran_order": fortran, "shape": shape}, v)
        except ValueError:  # too long for 1.0, or not latin-1 for 1.0/2.0
            continue
        out.append(f"{v[0]}.{v[1]}:{b.getvalue().hex()}")
    return ",".join(out)


def describe(case_id, path, how):
    with open(path, "rb") as f:
        major, minor = fmt.read_magic(f)
        shape, fortran, dt = fmt._read_array_header(f, (major, minor), max_header_size=BIG)
        offset = f.tell()
        f.seek(0)
        raw = f.read(offset)
    descr = fmt.dtype_to_descr(dt)
    if how != "header-only":
        # np.load must agree with the low-level reader.
        try:
            m = np.load(path, mmap_mode="r", max_header_size=BIG)
            assert m.offset == offset, (case_id, m.offset, offset)
        except ValueError:  # numpy cannot map some zero-size arrays
            m = np.load(path, max_header_size=BIG)
        assert m.shape == shape and m.dtype == dt, (case_id, m.shape, m.dtype)
        assert os.path.getsize(path) - offset == m.nbytes, case_id
    return "\t".join([
        hx(case_id), os.path.basename(path), f"{major}.{minor}", str(offset), hx(repr(descr)), str(dt.itemsize),
        ",".join(str(int(d)) for d in shape), "1" if fortran else "0", how, explicit_versions(descr, fortran, shape),
        raw.hex() if how == "header-only" else "",
    ])


def record_with_header_length(target, fortran, shape):
    """A record of '|u1' fields whose np.save header text is exactly `target` characters."""
    names = [f"f{i:04d}_" + "n" * 80 for i in range(int(target / 100))]
    dt = np.dtype([(n, "|u1") for n in names])
    delta = target - len(header_text(dt.descr, fortran, shape))
    assert 0 <= delta < 5000, delta
    names[-1] += "m" * delta
    dt = np.dtype([(n, "|u1") for n in names])
    assert len(header_text(dt.descr, fortran, shape)) == target
    return dt


def scalar_dtypes():
    out = ["?"]
    for kind in "iu":
        for n in (1, 2, 4, 8):
            out += [f"<{kind}{n}", f">{kind}{n}"]
    for n in (2, 4, 8, 16):
        out += [f"<f{n}", f">f{n}"]
    for n in (8, 16, 32):
        out += [f"<c{n}", f">c{n}"]
    out += ["S1", "S7", "<U1", ">U1", "<U5", ">U5", "V3", "V0"]
    for kind in "Mm":
        for unit in ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as", "25s", "7D"]:
            out.append(f"<{kind}8[{unit}]")
        out += [f"<{kind}8", f">{kind}8[ns]"]
    return [(s, np.dtype(s)) for s in out]


def deep_record(levels):
    dt = np.dtype([("x", "<i2")])
    for i in range(levels):
        dt = np.dtype([(f"l{i}", dt)])
    return dt


def record_dtypes():
    names = {
        "single quote": "it's",
        "double quote": 'say "hi"',
        "both quotes": "both '\"",
        "backslash": "back\\slash",
        "newline": "new\nline",
        "tab cr": "tab\tcr\r",
        "controls": "nul\x00esc\x1bdel\x7f",
        "latin-1": "caf\u00e9 ni\u00f1o",
        "nbsp soft hyphen": "a\u00a0b\u00adc\u0085",
        "cjk": "\u540d\u524d",
        "emoji": "\U0001f600",
        "line sep zwsp": "a\u2028b\u200bc",
        "astral format": "tag\U000e0001",
        "lone surrogate": "s\ud800",
        "private use": "p\ue000",
    }
    out = [
        ("simple", np.dtype([("x", "<i4"), ("y", "<f8")])),
        ("mixed", np.dtype([("a", ">i4"), ("b", "<f8"), ("c", "?"), ("d", ">U2"), ("e", "S3"), ("f", "<c8")])),
        ("nested", np.dtype([("a", "<i2"), ("b", [("c", "<f4"), ("d", "S3")])])),
        ("deep", np.dtype([("l1", [("l2", [("l3", [("l4", [("x", ">f8")])])])])])),
        ("sub 1-d", np.dtype([("v", "<f8", (3,))])),
        ("sub 2-d", np.dtype([("m", ">i4", (2, 3)), ("k", "u1")])),
        ("sub (1,)", np.dtype([("o", "<f4", (1,))])),
        ("sub (0,)", np.dtype([("z", "<f4", (0,)), ("w", "<i2")])),
        ("sub record", np.dtype([("p", [("x", "<f4"), ("y", "<f4")], (2,))])),
        ("sub in sub", np.dtype([("a", ("<f4", (2,)), (3,))])),
        ("sub in sub in sub", np.dtype([("a", (("<i2", (2,)), (4,)), (3,)), ("b", "u1")])),
        ("sub in nested", np.dtype([("n", [("x", "<i2", (2,))], (3,))])),
        ("aligned", np.dtype([("a", "u1"), ("b", "<i8"), ("c", "u1")], align=True)),
        ("aligned nested", np.dtype([("a", "u1"), ("b", [("x", "u1"), ("y", "<f8")])], align=True)),
        ("offsets", np.dtype({"names": ["a", "b"], "formats": ["<i4", "<i2"], "offsets": [0, 8], "itemsize": 16})),
        ("titles", np.dtype([(("Title A", "a"), "<i4"), ("b", "<f4")])),
        ("unicode title", np.dtype([(("\u540d\u524d", "name"), "<i4")])),
        ("datetimes", np.dtype([("t", "<M8[us]"), ("d", ">m8[25s]"), ("s", "<U3"), ("r", "V4")])),
        ("empty", np.dtype([])),
        ("unnamed field", np.dtype({"names": ["", "b"], "formats": ["<f4", [("x", "u1")]], "offsets": [0, 6], "itemsize": 8})),
        ("98 levels deep", deep_record(98)),  # the deepest nesting numpy can read back (Python's parser limit)
        ("all names", np.dtype([(n, "<i2") for n in names.values()])),
    ]
    out += [("name " + k, np.dtype([(v, "<i2"), ("z", "u1")])) for k, v in names.items()]
    return out


SHAPES = [(), (0,), (1,), (5,), (3, 4), (2, 3, 4), (0, 3)]


def matrix(outdir):
    lines = []
    n = 0

    def add(case_id, make):
        nonlocal n
        n += 1
        path = os.path.join(outdir, f"c{n:05d}.npy")
        how = make(path)
        lines.append(describe(case_id, path, how))

    for label, dt in scalar_dtypes() + record_dtypes():
        for fortran in (False, True):
            for shape in SHAPES:
                add(f"{label} {'F' if fortran else 'C'} {shape}", lambda p: npsave(p, dt, fortran, shape))
    # Unsized strings: np.zeros turns S0/U0 into S1/U1, but a header may say S0/U0 and numpy loads it.
    for descr in ["|S0", "<U0", ">U0"]:
        for shape in [(3,), (0,), ()]:
            add(f"{descr} {shape}", lambda p: header_only(p, descr, False, shape))
    # Headers too long for format 1.0, and the exact 1.0/2.0 boundary (text of 65524 vs 65525 chars).
    long_names = np.dtype([(f"f{i:03d}_" + "x" * 100, "u1") for i in range(700)])
    cjk_names = np.dtype([(f"\u540d{i:03d}_" + "\u524d" * 100, "u1") for i in range(700)])
    for fortran, shape in [(False, (5,)), (False, ()), (True, (2, 3)), (False, (0, 3))]:
        for label, dt in [("long names", long_names), ("long cjk names", cjk_names),
                          ("1.0 max", record_with_header_length(65524, fortran, shape)),
                          ("2.0 min", record_with_header_length(65525, fortran, shape))]:
            add(f"{label} {'F' if fortran else 'C'} {shape}", lambda p: npsave(p, dt, fortran, shape))
    # Shapes too large to allocate: numpy writes the header alone.
    for descr, fortran, shape in [("<f8", False, (2 ** 59,)), ("|u1", False, (2 ** 63 - 1,)), ("<f8", True, (3, 10 ** 15)),
                                  ("|u1", False, (0, 2 ** 62)), ("<i4", False, (10 ** 9, 10 ** 9)),
                                  ("<f8", False, (1,) * 64), ("<f8", True, (2,) * 32 + (1,) * 32)]:
        add(f"header-only {descr} {'F' if fortran else 'C'} {shape}", lambda p: header_only(p, descr, fortran, shape))
    print("\n".join(lines))


def headers(spec_hex):
    out = []
    for line in bytes.fromhex(spec_hex).decode("utf-8").split("\n"):
        descr_text, fortran, shape_text = line.split("\t")
        descr = ast.literal_eval(descr_text)
        fortran = fortran == "1"
        shape = tuple(int(d) for d in shape_text.split(",") if d)
        dt = fmt.descr_to_dtype(descr)
        b = io.BytesIO()
        nbytes = dt.itemsize * int(np.prod(shape, dtype=object))
        if nbytes < (1 << 20):
            a = np.zeros(shape, dt, order="F" if fortran else "C")
            if fmt.header_data_from_array_1_0(a)["fortran_order"] == fortran:
                np.save(b, a)
                b.seek(0)
                fmt.read_magic(b)
                fmt._read_array_header(b, (1, 0) if b.getvalue()[6] == 1 else (b.getvalue()[6], 0), max_header_size=BIG)
                out.append("save:" + b.getvalue()[: b.tell()].hex())
                continue
        fmt._write_array_header(b, {"descr": fmt.dtype_to_descr(dt), "fortran_order": fortran, "shape": shape})
        out.append("writer:" + b.getvalue().hex())
    print("\n".join(out))


if sys.argv[1] == "matrix":
    matrix(sys.argv[2])
elif sys.argv[1] == "headers":
    headers(sys.argv[2])
else:
    raise SystemExit("unknown mode " + sys.argv[1])

#!/usr/bin/python3
"""Fixtures for jkernels' .npy reader/writer, written by NumPy itself.

How to run (from the repository root; needs NumPy):

    /usr/bin/python3 tools/golden/gen_npy_fixtures.py [--out DIR]

DIR defaults to src/test/resources/npy; the script owns that directory: it deletes it and writes
it anew (deterministic: a rerun gives byte-identical files).

What the reader must do (OPS.md, "Conformance case format"): accept format versions 1.0 and 2.0,
C order, little-endian, dtypes `<f4`, `<f8`, `<i8`, `<i4` and `|b1`, any rank (0-d included) and
zero-size shapes; reject anything else with a clear error (Fortran order, big-endian, other dtypes
such as `<f2` and `<u1`, a truncated file, a bad magic string).

manifest.json lists every file:
  {"file", "reject", "dtype", "shape", "fortran_order", "version": [major, minor],
   "header_len", "data_offset", "values" (good files only), "reason" (rejected files only)}
"values" are the elements in C order. Floats are JSON numbers that are exact: a `<f4` element is
written as the shortest decimal of its (exactly widened) double value, so parsing it as a double
and narrowing to float gives the stored bits; NaN is the string "NaN", infinities are "Infinity"
and "-Infinity"; -0.0 is written as -0.0. Integers are JSON integers (int64 extremes included, so
parse them as long, not double). Bools are true/false.
"""

import argparse
import json
import math
import os
import shutil
import struct
import sys

import numpy as np


def json_value(v, kind):
    if kind == "b":
        return bool(v)
    if kind in "iu":
        return int(v)
    f = float(v)
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    return f


def header_info(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    major, minor = raw[6], raw[7]
    if major == 1:
        hlen = struct.unpack("<H", raw[8:10])[0]
        off = 10 + hlen
    else:
        hlen = struct.unpack("<I", raw[8:12])[0]
        off = 12 + hlen
    return [major, minor], hlen, off


def save(path, arr, version=(1, 0)):
    with open(path, "wb") as fh:
        np.lib.format.write_array(fh, arr, version=version, allow_pickle=False)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.normpath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(repo, "src", "test", "resources", "npy"))
    out = ap.parse_args().out
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)

    entries = []

    def good(name, arr, version=(1, 0), note=None):
        path = os.path.join(out, name)
        save(path, arr, version)
        back = np.load(path)  # NumPy must read back exactly what we meant
        assert back.dtype == arr.dtype and back.shape == arr.shape
        assert np.array_equal(back, arr, equal_nan=arr.dtype.kind == "f")
        ver, hlen, off = header_info(path)
        assert ver == list(version)
        assert os.path.getsize(path) == off + arr.nbytes
        e = {"file": name, "reject": False, "dtype": arr.dtype.str, "shape": list(arr.shape),
             "fortran_order": False, "version": ver, "header_len": hlen, "data_offset": off,
             "values": [json_value(v, arr.dtype.kind) for v in arr.ravel(order="C")]}
        if note:
            e["note"] = note
        entries.append(e)

    def bad(name, reason, writer, dtype=None, shape=None, fortran=False):
        path = os.path.join(out, name)
        writer(path)
        e = {"file": name, "reject": True, "reason": reason}
        if dtype is not None:
            e.update({"dtype": dtype, "shape": list(shape), "fortran_order": fortran})
        entries.append(e)

    f32_max = float(np.finfo(np.float32).max)
    good("f4_2d.npy", np.array([[0.1, -0.0, float("nan"), float("inf")],
                                [-float("inf"), 1e-40, f32_max, 1.4e-45],
                                [1.0, -2.5, 3.14159265, -123456.789]], dtype="<f4"),
         note="includes -0.0, NaN, +-Inf, subnormals and FLT_MAX")
    good("f4_3d.npy", (np.arange(24, dtype="<f4") * 0.5 - 6.0).reshape(2, 3, 4))
    good("f8_1d.npy", np.array([0.1, -0.0, float("nan"), 1e300, -5e-324, 2.5, 1.0 + 2.0 ** -52],
                               dtype="<f8"),
         note="values a float32 cannot hold exactly; the reader keeps float64 or rounds as asked")
    good("i8_2d.npy", np.array([[0, -1, 1], [2 ** 53 + 1, np.iinfo(np.int64).max,
                                             np.iinfo(np.int64).min]], dtype="<i8"))
    good("i4_1d.npy", np.array([0, -1, 7, np.iinfo(np.int32).max, np.iinfo(np.int32).min],
                               dtype="<i4"))
    good("b1_2d.npy", np.array([[True, False, True], [False, False, True]], dtype="|b1"))
    good("scalar_f4.npy", np.array(3.5, dtype="<f4"), note="0-d array, shape ()")
    good("empty_f4_0x3.npy", np.zeros((0, 3), dtype="<f4"), note="zero elements, shape (0, 3)")
    good("one_f4_1.npy", np.array([-7.25], dtype="<f4"), note="shape (1,): header says '(1,)'")
    good("v2_f4_2x2.npy", np.array([[1.0, -2.0], [0.25, 1e-3]], dtype="<f4"), version=(2, 0),
         note="format version 2.0: 4-byte header length")

    # ---- files the reader must reject ----
    fort = np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3))
    bad("fortran_f4_2x3.npy", "fortran_order True", lambda p: save(p, fort), "<f4", (2, 3), True)
    assert header_info(os.path.join(out, "fortran_f4_2x3.npy"))[0] == [1, 0]
    assert np.load(os.path.join(out, "fortran_f4_2x3.npy")).flags.f_contiguous
    bad("big_endian_f4.npy", "big-endian dtype >f4",
        lambda p: save(p, np.array([1.0, 2.0, -3.0], dtype=">f4")), ">f4", (3,))
    bad("f2_1d.npy", "unsupported dtype <f2",
        lambda p: save(p, np.array([1.0, 0.5, -2.0], dtype="<f2")), "<f2", (3,))
    bad("u1_1d.npy", "unsupported dtype |u1",
        lambda p: save(p, np.array([0, 1, 255], dtype="<u1")), "|u1", (3,))
    for nm in ("big_endian_f4.npy", "f2_1d.npy", "u1_1d.npy"):
        np.load(os.path.join(out, nm))  # valid NumPy files, just not accepted by jkernels

    def truncated(p):
        save(p, np.arange(16, dtype="<f4").reshape(4, 4))
        with open(p, "rb") as fh:
            raw = fh.read()
        with open(p, "wb") as fh:
            fh.write(raw[:-10])  # data is 64 bytes; 54 remain

    bad("truncated_data_f4_4x4.npy", "file ends inside the data (54 of 64 data bytes)", truncated,
        "<f4", (4, 4))

    def truncated_header(p):
        save(p, np.arange(4, dtype="<f4"))
        with open(p, "rb") as fh:
            raw = fh.read()
        with open(p, "wb") as fh:
            fh.write(raw[:40])  # header is 118 bytes long

    bad("truncated_header.npy", "file ends inside the header", truncated_header)

    def bad_magic(p):
        save(p, np.arange(4, dtype="<f4"))
        with open(p, "rb") as fh:
            raw = bytearray(fh.read())
        raw[1:6] = b"NUMPZ"
        with open(p, "wb") as fh:
            fh.write(bytes(raw))

    bad("bad_magic.npy", "magic string is not \\x93NUMPY", bad_magic)

    def check_reject_by_numpy(name):
        try:
            np.load(os.path.join(out, name))
        except (ValueError, EOFError, OSError):
            return
        raise AssertionError(name + " loads in NumPy")

    for nm in ("truncated_data_f4_4x4.npy", "truncated_header.npy", "bad_magic.npy"):
        check_reject_by_numpy(nm)

    manifest = {
        "generator": "tools/golden/gen_npy_fixtures.py",
        "numpy_version": np.__version__,
        "encoding": "values in C order; floats exact as JSON numbers, NaN as \"NaN\", "
                    "infinities as \"Infinity\"/\"-Infinity\"; int64 values need a long parser",
        "files": entries,
    }
    with open(os.path.join(out, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")
    print(f"wrote {len(entries)} files + manifest.json under {out}")


if __name__ == "__main__":
    sys.exit(main())

"""Writes (possibly broken) safetensors files for soracc's diagnostics tests.

usage: write_safetensors.py OUT KIND
KIND: ok, wrong-shape, no-dtype, f16, bad-offsets, truncated-header,
      not-json, tiny
"""
import json
import struct
import sys


def header_file(header, payload):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + payload


def main():
    out, kind = sys.argv[1], sys.argv[2]
    kernel = {"dtype": "F32", "shape": [4, 2], "data_offsets": [0, 32]}
    payload = struct.pack("<8f", *range(8))
    files = {
        "ok": header_file({"d.kernel": kernel}, payload),
        "wrong-shape": header_file(
            {"d.kernel": dict(kernel, shape=[2, 4])}, payload),
        "no-dtype": header_file(
            {"d.kernel": {"shape": [4, 2], "data_offsets": [0, 32]}}, payload),
        "f16": header_file({"d.kernel": dict(kernel, dtype="F16")}, payload),
        "bad-offsets": header_file(
            {"d.kernel": dict(kernel, data_offsets=[0, 64])}, payload),
        "truncated-header": struct.pack("<Q", 1000) + b"{}",
        "not-json": struct.pack("<Q", 5) + b"{oops" + payload,
        "tiny": b"\x01\x02",
    }
    with open(out, "wb") as f:
        f.write(files[kind])


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes the tiny weight fixtures (tests/fixtures/) of the polarity-weights and polarity-models tests.

Needs numpy and safetensors (`pip install numpy safetensors`); PyTorch is not needed: the
`.pth` fixtures are written in torch.save's two formats (zip, and the legacy pickle sequence)
by the small writers below, which follow torch/serialization.py (persistent ids
('storage', FloatStorage, key, 'cpu', numel) and torch._utils._rebuild_tensor_v2). If PyTorch
is installed, the script also cross-checks each .pth file with torch.load.

Networks: a width-reduced torchvision AlexNet (channels 4-6-8-6-6, fc 12-12, pool 1x1 i.e.
fc6 in = 6, 1000-way head kept at 5 classes) and a width-reduced Caffe AlexNet in the
bvlc_alexnet.npy layout (channels 4-8-8-8-4 with 2 groups on conv2/4/5, fc 16-16-6, input 67
so pool5 is 1x1, fc6 in = 4). Values are seeded, with exact zeros in a few entries so the
free-template rule (sign 0) is exercised.

Run from the crate folder:  python3 scripts/make_fixtures.py
"""
import io
import json
import os
import pickle
import struct
import sys
import zipfile

import importlib.util

import numpy as np
from safetensors.numpy import save_file

# Decided before the torch stubs below are registered under the name "torch".
HAVE_TORCH = importlib.util.find_spec("torch") is not None

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures")
rng = np.random.default_rng(20230723)


def arr(*shape):
    a = rng.standard_normal(shape).astype(np.float32)
    a.flat[0] = 0.0  # an exact zero: a free template entry
    return a


# ---------------- torchvision-style AlexNet (PyTorch layout: Linear [out, in]) ----------------
C = [4, 6, 8, 6, 6]
TV = {
    "features.0.weight": arr(C[0], 3, 11, 11), "features.0.bias": arr(C[0]),
    "features.3.weight": arr(C[1], C[0], 5, 5), "features.3.bias": arr(C[1]),
    "features.6.weight": arr(C[2], C[1], 3, 3), "features.6.bias": arr(C[2]),
    "features.8.weight": arr(C[3], C[2], 3, 3), "features.8.bias": arr(C[3]),
    "features.10.weight": arr(C[4], C[3], 3, 3), "features.10.bias": arr(C[4]),
    "classifier.1.weight": arr(12, C[4] * 1 * 1), "classifier.1.bias": arr(12),
    "classifier.4.weight": arr(12, 12), "classifier.4.bias": arr(12),
    "classifier.6.weight": arr(5, 12), "classifier.6.bias": arr(5),
}


class _Stub:
    """Pickled by reference as module.qualname, like torch's classes."""


def stub(module, name):
    cls = type(name, (_Stub,), {"__module__": module, "__qualname__": name})
    mod = sys.modules.setdefault(module, type(sys)(module))
    setattr(mod, name, cls)
    return cls


FloatStorage = stub("torch", "FloatStorage")


def _rebuild_tensor_v2(*args):  # never called here; pickled by name
    raise NotImplementedError


_rebuild_tensor_v2.__module__ = "torch._utils"
_rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
sys.modules.setdefault("torch._utils", type(sys)("torch._utils"))
sys.modules["torch._utils"]._rebuild_tensor_v2 = _rebuild_tensor_v2


class _Tensor:
    def __init__(self, key, a):
        self.key, self.a = key, a

    def __reduce_ex__(self, proto):
        a = self.a
        stride = tuple(s // a.itemsize for s in a.strides)
        storage = _StorageRef(self.key, a.size)
        from collections import OrderedDict
        return (_rebuild_tensor_v2, (storage, 0, a.shape, stride, False, OrderedDict()))


class _StorageRef:
    def __init__(self, key, numel):
        self.key, self.numel = key, numel


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            return ("storage", FloatStorage, obj.key, "cpu", obj.numel)
        return None


def state_dict(tensors):
    from collections import OrderedDict
    return OrderedDict((k, _Tensor(str(i), np.ascontiguousarray(v))) for i, (k, v) in enumerate(tensors.items()))


def save_zip(path, tensors, nest=False):
    sd = state_dict(tensors)
    obj = {"state_dict": sd} if nest else sd
    buf = io.BytesIO()
    _Pickler(buf, protocol=2).dump(obj)
    name = "archive"
    def entry(member):  # fixed timestamps: the fixture bytes do not change between runs
        return zipfile.ZipInfo(member, date_time=(2023, 7, 23, 0, 0, 0))

    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(entry(f"{name}/data.pkl"), buf.getvalue())
        z.writestr(entry(f"{name}/byteorder"), "little")
        z.writestr(entry(f"{name}/version"), "3\n")
        for t in sd.values():
            z.writestr(entry(f"{name}/data/{t.key}"), t.a.astype("<f4").tobytes())


def save_legacy(path, tensors):
    sd = state_dict(tensors)
    with open(path, "wb") as f:
        pickle.dump(0x1950A86A20F9469CFC6C, f, protocol=2)  # magic number
        pickle.dump(1001, f, protocol=2)  # protocol version
        pickle.dump({"protocol_version": 1001, "little_endian": True,
                     "type_sizes": {"short": 2, "int": 4, "long": 8}}, f, protocol=2)
        _Pickler(f, protocol=2).dump(sd)
        keys = [t.key for t in sd.values()]
        pickle.dump(keys, f, protocol=2)
        for t in sd.values():
            f.write(struct.pack("<q", t.a.size))
            f.write(t.a.astype("<f4").tobytes())


# ---------------- Caffe AlexNet in the bvlc_alexnet.npy layout (TF order) ----------------
K = [4, 8, 8, 8, 4]
CAFFE = {
    "conv1": [arr(11, 11, 3, K[0]), arr(K[0])],
    "conv2": [arr(5, 5, K[0] // 2, K[1]), arr(K[1])],
    "conv3": [arr(3, 3, K[1], K[2]), arr(K[2])],
    "conv4": [arr(3, 3, K[2] // 2, K[3]), arr(K[3])],
    "conv5": [arr(3, 3, K[3] // 2, K[4]), arr(K[4])],
    "fc6": [arr(K[4] * 1 * 1, 16), arr(16)],
    "fc7": [arr(16, 16), arr(16)],
    "fc8": [arr(16, 6), arr(6)],
}

# The paper's AlexNet with every width divided by 16 (`--width-divisor 16`): conv 6-16-24-24-16,
# fc 256-256-62; at input 67 pool5 is 1x1, so fc6 has 16 inputs. For the end-to-end CLI test.
K16 = [6, 16, 24, 24, 16]
CAFFE16 = {
    "conv1": [arr(11, 11, 3, K16[0]), arr(K16[0])],
    "conv2": [arr(5, 5, K16[0] // 2, K16[1]), arr(K16[1])],
    "conv3": [arr(3, 3, K16[1], K16[2]), arr(K16[2])],
    "conv4": [arr(3, 3, K16[2] // 2, K16[3]), arr(K16[3])],
    "conv5": [arr(3, 3, K16[3] // 2, K16[4]), arr(K16[4])],
    "fc6": [arr(K16[4], 256) * 0.1, arr(256) * 0.1],
    "fc7": [arr(256, 256) * 0.1, arr(256) * 0.1],
    "fc8": [arr(256, 62) * 0.1, arr(62) * 0.1],
}


def main():
    os.makedirs(OUT, exist_ok=True)
    save_zip(os.path.join(OUT, "tv_alexnet_zip.pth"), TV)
    save_zip(os.path.join(OUT, "tv_alexnet_nested_zip.pth"), TV, nest=True)
    save_legacy(os.path.join(OUT, "tv_alexnet_legacy.pth"), TV)
    save_file(TV, os.path.join(OUT, "tv_alexnet.safetensors"))
    os.chmod(os.path.join(OUT, "tv_alexnet.safetensors"), 0o644)
    # np.save of a dict makes a 0-d object array and pickles it (protocol 4 in numpy 2);
    # a protocol-2 copy (Python 2's protocol; Python 3 writes its bytes via _codecs.encode)
    # exercises the older opcodes.
    np.save(os.path.join(OUT, "caffe_alexnet_tiny.npy"), CAFFE, allow_pickle=True)
    np.save(os.path.join(OUT, "caffe_alexnet_d16.npy"), CAFFE16, allow_pickle=True)
    with open(os.path.join(OUT, "caffe_alexnet_tiny_p2.npy"), "wb") as f:
        obj = np.asanyarray(CAFFE)
        np.lib.format.write_array_header_1_0(f, np.lib.format.header_data_from_array_1_0(obj))
        pickle.dump(obj, f, protocol=2)
    # The expected values, in plain JSON, for the Rust tests to compare against.
    expected = {
        "torchvision": {k: {"shape": list(v.shape), "values": v.ravel().tolist()} for k, v in TV.items()},
        "caffe": {k: {"shape": [list(w.shape), list(b.shape)], "weights": w.ravel().tolist(),
                      "biases": b.ravel().tolist()} for k, (w, b) in CAFFE.items()},
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f)
    if HAVE_TORCH:  # optional cross-check with the real torch.load (in a fresh process)
        import subprocess
        check = (
            "import sys, json, numpy as np, torch\n"
            "exp = json.load(open(sys.argv[1]))['torchvision']\n"
            "for name in sys.argv[2:]:\n"
            "    sd = torch.load(name, weights_only=False)\n"
            "    for k, v in exp.items():\n"
            "        assert np.array_equal(sd[k].numpy().ravel(), np.array(v['values'], np.float32)), (name, k)\n"
        )
        subprocess.run([sys.executable, "-c", check, os.path.join(OUT, "expected.json"),
                        os.path.join(OUT, "tv_alexnet_zip.pth"), os.path.join(OUT, "tv_alexnet_legacy.pth")],
                       check=True)
        print("torch.load cross-check passed")
    else:
        print("PyTorch not installed: .pth files not cross-checked with torch.load")
    print("fixtures written to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()

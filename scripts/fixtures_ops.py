#!/usr/bin/env python3
"""Golden-value fixtures for jtorch's generated op layer, taken from PyTorch's OpInfo database.

Run from the repository root with Debian's PyTorch (python3-torch 1.13):

    /usr/bin/python3 scripts/fixtures_ops.py            # rewrites src/test/resources/ops/
    /usr/bin/python3 scripts/fixtures_ops.py --only add,nn.functional.relu   # subset (debugging)

CI never runs it; the JSON it writes is committed and read by
src/test/java/dev/jtorch/tensor/OpGoldenTest.java. The output is deterministic: every op's samples
are drawn after torch.manual_seed(crc32(op key)), and the cotangents from a generator seeded the same way.

What it does
------------
It walks torch.testing._internal.common_methods_invocations.op_db. For every OpInfo it picks a dtype
(float32, else float64, else int64/int32/bool, whichever the op supports on the CPU), draws its
sample inputs (requires_grad=True where the op supports autograd and the dtype is floating point),
keeps at most MAX_SAMPLES of them whose tensors are all real, dense and no bigger than MAX_NUMEL
elements, and for each:

* encodes sample.input, sample.args and sample.kwargs (see "Value encoding" below);
* decodes them again into fresh leaf tensors and calls the PUBLIC PyTorch callable that the Java
  target mirrors (torch.Tensor.X / torch.X / torch.nn.functional.X / torch.linalg.X /
  torch.special.X / torch.fft.X) -- not OpInfo's own lambda -- so the fixture is exactly what
  the Java call receives and must return;
* calls it a second time under another seed: when the outputs differ the op is random and only
  shape/dtype of the outputs are recorded ("random": true, tensors without "data");
* for floating-point outputs that require grad, draws a cotangent w (values in {-2,-1.5,...,2}, so
  short in JSON and exact in every float type), and stores the gradients of sum_i sum(out_i * w_i)
  with respect to every input tensor that requires grad.

Java target
-----------
OpInfo name ``nn.functional.X`` -> ``F.camel(X)``, ``linalg.X`` -> ``Linalg``, ``special.X`` ->
``Special``, ``fft.X`` -> ``Fft``; any other dotted name is skipped; otherwise an instance method
``Tensor.camel(X)`` when torch.Tensor has X and sample.input is a tensor (the receiver), else a
static ``Tensor.camel(X)`` whose first argument is sample.input.

File format (src/test/resources/ops/<group>.json)
-------------------------------------------------
{"format": 1, "generator": "...", "torch": "1.13.0", "cases": [ <one case per line> ]}

A case::

  {"op": "max", "variant": "reduction_with_dim", "key": "max.reduction_with_dim", "index": 0,
   "target": "method" | "static" | "F" | "Linalg" | "Special" | "Fft",
   "java": "max",                      # camelCase Java method name
   "python": "torch.Tensor.max",       # what produced the golden values
   "aten": true,                       # whether torch.ops.aten.<X> exists (X = linalg_norm for
                                       #   torch.linalg.norm, special_X, fft_X; F ops use their own name)
   "input": V,                         # receiver (method) or first argument (all other targets)
   "args": [V, ...],                   # remaining positional arguments, in order
   "kwargs": {"keepdim": V, ...},      # PyTorch keyword names (snake_case; Java uses camelCase)
   "droppable": ["inplace"],           # kwargs whose value is the Python default: the harness may
                                       #   leave them out when no Java parameter has that name
   "defaults": {"keepdim": V, ...},    # schema defaults of aten::<X> (all overloads, by name), for
                                       #   parameters the sample skips but a Java overload needs
   "random": false,
   "output": V,                        # tensor, tensors, tuple, int, float, bool, ints, floats
   "cotangents": [T | null, ...],      # one per output tensor, flattened in output order
   "grads": [{"path": "input" | "input.0" | "args.1" | "args.1.0" | "kwargs.weight",
              "grad": T | {"t": "none"}}]}

Value encoding (V)
------------------
  {"t": "tensor", "dtype": "float32", "shape": [2, 3], "data": [...], "requires_grad": true}
       data is row-major; non-finite floats are the strings "nan", "inf", "-inf";
       "random" outputs have no "data"
  {"t": "int", "v": 3}   {"t": "float", "v": 0.5}   {"t": "bool", "v": true}   {"t": "none"}
  {"t": "str", "v": "mean"}   {"t": "dtype", "v": "FLOAT32"} (dev.jtorch.DType constant name)
  {"t": "device", "v": "cpu"}   {"t": "ints", "v": [1, 2]}   {"t": "floats", "v": [0.5, 1.0]}
  {"t": "bools", "v": [true]}   {"t": "tensors", "v": [T | {"t": "none"}, ...]}
  {"t": "tuple", "names": ["values", "indices"] | null, "v": [V, ...]}   (outputs only)

Besides the case files it writes SKIPPED.md: every op or sample left out, with the reason.
"""
import argparse
import inspect
import json
import math
import os
import sys
import types
import unittest
import warnings
import zlib

# some sample_inputs iterate over sets of strings: fix the hash seed so the output is byte-for-byte repeatable
if os.environ.get("PYTHONHASHSEED") != "0" and __name__ == "__main__":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

# torch.testing._internal imports expecttest, which Debian does not package
_m = types.ModuleType("expecttest")
_m.TestCase = unittest.TestCase
_m.ACCEPT = False
sys.modules.setdefault("expecttest", _m)

import random as random_mod  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch.testing._internal.common_methods_invocations import op_db  # noqa: E402
from torch.testing._internal.opinfo.core import SampleInput  # noqa: E402

MAX_SAMPLES = 3
MAX_NUMEL = 256          # per tensor
MAX_CASE_NUMEL = 700     # all tensors of a case (inputs + outputs)
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "ops")

DTYPES = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16",
    torch.bfloat16: "bfloat16", torch.uint8: "uint8", torch.int8: "int8", torch.int16: "int16",
    torch.int32: "int32", torch.int64: "int64", torch.bool: "bool",
}
DTYPE_BY_NAME = {v: k for k, v in DTYPES.items()}

# ops whose results depend on the RNG even when the second-run check could miss it
RANDOM_OPS = {
    "bernoulli", "multinomial", "normal", "uniform", "rand_like", "randn_like", "randint_like",
    "randint", "randn", "rand", "randperm", "exponential", "geometric", "cauchy", "log_normal",
    "nn.functional.dropout", "nn.functional.dropout2d", "nn.functional.dropout3d",
    "nn.functional.alpha_dropout", "nn.functional.feature_alpha_dropout", "nn.functional.rrelu",
    "nn.functional.gumbel_softmax", "empty", "empty_like", "new_empty", "new_empty_strided",
    "empty_strided",
}
# ops whose backward in torch 1.13 reads uninitialised memory: no grads recorded
NO_GRADS = {"as_strided_scatter"}
# ops whose result is uninitialised memory: shape/dtype only
UNINITIALISED = {"empty", "empty_like", "new_empty", "new_empty_strided", "empty_strided"}


class Skip(Exception):
    pass


def camel(name):
    trailing = "_" if name.endswith("_") and not name.endswith("__") else ""
    parts = [p for p in name.rstrip("_").split("_") if p]
    if not parts:
        return name
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:]) + trailing


def fnum(x, is32):
    """A float as JSON: shortest text that round-trips (float32 text for float32 data)."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if is32:
        return float(repr(np.float32(x)))
    return x


def enc_tensor(t, with_data=True, out=False):
    if not isinstance(t, torch.Tensor):
        raise Skip("not a tensor: %s" % type(t).__name__)
    if t.is_sparse or t.layout != torch.strided:
        raise Skip("sparse/non-strided tensor")
    if t.is_complex():
        raise Skip("complex dtype")
    if t.dtype not in DTYPES:
        raise Skip("unsupported dtype %s" % t.dtype)
    if t.numel() > MAX_NUMEL:
        raise Skip("tensor bigger than %d elements" % MAX_NUMEL)
    if getattr(t, "is_quantized", False) or getattr(t, "is_nested", False):
        raise Skip("quantized/nested tensor")
    d = {"t": "tensor", "dtype": DTYPES[t.dtype], "shape": list(t.shape)}
    if with_data:
        flat = t.detach().contiguous().reshape(-1)
        if t.dtype.is_floating_point:
            is32 = t.dtype in (torch.float32, torch.float16, torch.bfloat16)
            d["data"] = [fnum(v, is32) for v in flat.double().tolist()]
        elif t.dtype == torch.bool:
            d["data"] = [bool(v) for v in flat.tolist()]
        else:
            d["data"] = [int(v) for v in flat.tolist()]
    if t.requires_grad and not out:
        d["requires_grad"] = True
    return d


def enc(v, out=False, with_data=True):
    """Encodes an argument (or, with out=True, a result)."""
    if isinstance(v, torch.Tensor):
        return enc_tensor(v, with_data, out)
    if v is None:
        return {"t": "none"}
    if isinstance(v, bool):
        return {"t": "bool", "v": v}
    if isinstance(v, int):
        return {"t": "int", "v": v}
    if isinstance(v, float):
        return {"t": "float", "v": fnum(v, False)}
    if isinstance(v, complex):
        raise Skip("complex scalar")
    if isinstance(v, str):
        return {"t": "str", "v": v}
    if isinstance(v, torch.dtype):
        if v not in DTYPES:
            raise Skip("unsupported dtype argument %s" % v)
        return {"t": "dtype", "v": DTYPES[v].upper()}
    if isinstance(v, torch.device):
        return {"t": "device", "v": str(v)}
    if isinstance(v, (np.integer,)):
        return {"t": "int", "v": int(v)}
    if isinstance(v, (np.floating,)):
        return {"t": "float", "v": fnum(v, False)}
    if out and isinstance(v, tuple) and (hasattr(type(v), "n_fields") or hasattr(v, "_fields")):
        names = list(getattr(v, "_fields", None) or getattr(type(v), "__match_args__", None) or []) or None
        return {"t": "tuple", "names": names, "v": [enc(x, out, with_data) for x in v]}
    if isinstance(v, (list, tuple, torch.Size)):
        items = list(v)
        if items and all(isinstance(x, bool) for x in items):
            return {"t": "bools", "v": items}
        if all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in items) and (
                items or isinstance(v, torch.Size)):
            return {"t": "ints", "v": [int(x) for x in items]}
        if items and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in items):
            return {"t": "floats", "v": [fnum(x, False) for x in items]}
        if items and all(isinstance(x, torch.Tensor) or x is None for x in items) and any(
                isinstance(x, torch.Tensor) for x in items):
            if out and isinstance(v, tuple):
                return {"t": "tuple", "names": None, "v": [enc(x, out, with_data) for x in items]}
            return {"t": "tensors", "v": [enc(x, out, with_data) for x in items]}
        if not items:
            return {"t": "ints", "v": []}
        if out:
            return {"t": "tuple", "names": None, "v": [enc(x, out, with_data) for x in items]}
        raise Skip("mixed list argument %r" % (type(items[0]).__name__,))
    if isinstance(v, torch.memory_format):
        if v not in (torch.preserve_format, torch.contiguous_format):
            raise Skip("memory_format argument %s" % v)
        return {"t": "memory_format", "v": str(v).replace("torch.", "")}
    if isinstance(v, torch.layout):
        if v != torch.strided:
            raise Skip("layout argument %s" % v)
        return {"t": "layout", "v": "strided"}
    if callable(v):
        raise Skip("callable argument")
    raise Skip("unencodable %s" % type(v).__name__)


def dec(d):
    """Decodes an encoded argument to fresh (leaf) values."""
    t = d["t"]
    if t == "tensor":
        dt = DTYPE_BY_NAME[d["dtype"]]
        data = [float(x) if isinstance(x, str) else x for x in d["data"]]
        x = torch.tensor(data, dtype=torch.float64 if dt.is_floating_point else None).to(dt).reshape(d["shape"])
        if d.get("requires_grad"):
            x.requires_grad_(True)
        return x
    if t == "none":
        return None
    if t in ("int", "bool", "str"):
        return d["v"]
    if t == "float":
        return float(d["v"])
    if t == "dtype":
        return DTYPE_BY_NAME[d["v"].lower()]
    if t == "device":
        return torch.device(d["v"])
    if t == "memory_format":
        return getattr(torch, d["v"])
    if t == "layout":
        return torch.strided
    if t in ("ints", "bools"):
        return list(d["v"])
    if t == "floats":
        return [float(x) for x in d["v"]]
    if t == "tensors":
        return [dec(x) for x in d["v"]]
    raise ValueError(t)


def numel_of(d):
    if d["t"] == "tensor":
        n = 1
        for s in d["shape"]:
            n *= s
        return n
    if d["t"] in ("tensors", "tuple"):
        return sum(numel_of(x) for x in d["v"])
    return 0


def flat_tensors(v):
    """Tensors of a Python result, flattened in output order."""
    if isinstance(v, torch.Tensor):
        return [v]
    if isinstance(v, (list, tuple)):
        out = []
        for x in v:
            out.extend(flat_tensors(x))
        return out
    return []


def grad_leaves(input_dec, args_dec, kwargs_dec):
    """(path, tensor) for every decoded tensor that requires grad, in a fixed order."""
    leaves = []

    def visit(path, v):
        if isinstance(v, torch.Tensor) and v.requires_grad:
            leaves.append((path, v))
        elif isinstance(v, list):
            for i, x in enumerate(v):
                if isinstance(x, torch.Tensor) and x.requires_grad:
                    leaves.append(("%s.%d" % (path, i), x))

    visit("input", input_dec)
    for i, a in enumerate(args_dec):
        visit("args.%d" % i, a)
    for k in sorted(kwargs_dec):
        visit("kwargs." + k, kwargs_dec[k])
    return leaves


def same(a, b):
    ta, tb = flat_tensors(a), flat_tensors(b)
    if len(ta) != len(tb):
        return False
    for x, y in zip(ta, tb):
        if x.shape != y.shape or x.dtype != y.dtype:
            return False
        if not torch.allclose(x.detach().double(), y.detach().double(), rtol=1e-6, atol=1e-9, equal_nan=True):
            return False
    if not ta:
        return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))
    return True


def target_of(op, sample_input):
    """(target, java name, python label, python callable taking (input, *args, **kwargs)) or raise Skip."""
    name = op.name
    for prefix, target, module in (("nn.functional.", "F", torch.nn.functional), ("linalg.", "Linalg", torch.linalg),
                                   ("special.", "Special", torch.special), ("fft.", "Fft", torch.fft)):
        if name.startswith(prefix):
            x = name[len(prefix):]
            fn = getattr(module, x, None)
            if x.startswith("_"):
                raise Skip("private torch.%s" % name)
            if fn is None or not callable(fn) or "." in x:
                raise Skip("no public torch.%s" % name)
            return target, camel(x), "torch." + name, fn, x
    if "." in name:
        raise Skip("namespace %s has no Java target" % name.split(".")[0])
    if name.startswith("_"):
        raise Skip("private or Python-only (dunder) op")
    attr = getattr(torch.Tensor, name, None)
    if attr is not None and isinstance(sample_input, torch.Tensor):
        if not callable(attr):
            raise Skip("torch.Tensor.%s is a property, not a method" % name)
        return "method", camel(name), "torch.Tensor." + name, (lambda i, *a, **k: getattr(i, name)(*a, **k)), name
    fn = getattr(torch, name, None)
    if fn is None or not callable(fn):
        raise Skip("no public torch.%s" % name)
    return "static", camel(name), "torch." + name, fn, name


_schema_defaults = {}


def schema_defaults(aten_name):
    """Default values of aten::<name>'s arguments, by name, over all its overloads; where overloads disagree
    (conv2d's padding: int[2] 0 or str "valid") the first overload in (unnamed overload first, then by name)
    order wins."""
    if aten_name in _schema_defaults:
        return _schema_defaults[aten_name]
    out = {}
    try:
        schemas = torch._C._jit_get_schemas_for_operator("aten::" + aten_name)
    except Exception:
        schemas = []
    for s in sorted(schemas, key=lambda x: (x.overload_name != "", x.overload_name)):
        if s.overload_name.endswith("out") or "Dimname" in s.overload_name:
            continue
        for a in s.arguments:
            if a.default_value is None and "?" not in str(a.type):
                continue
            if a.name in ("out", "self", "input"):
                continue
            try:
                e = enc(a.default_value)
            except Skip:
                continue
            out.setdefault(a.name, e)
    _schema_defaults[aten_name] = out
    return out


def python_defaults(fn):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in sig.parameters.values() if p.default is not inspect.Parameter.empty}


def has_aten(x):
    try:
        getattr(torch.ops.aten, x)
        return True
    except (AttributeError, RuntimeError):
        return False


def pick_dtype(op):
    try:
        supported = op.supported_dtypes("cpu")
    except TypeError:
        supported = op.supported_dtypes(torch.device("cpu"))
    for dt in (torch.float32, torch.float64, torch.int64, torch.int32, torch.bool, torch.uint8):
        if dt in supported:
            return dt
    return None


def _tensors_of(v):
    if isinstance(v, torch.Tensor):
        return [v]
    if isinstance(v, (list, tuple)):
        return [t for x in v for t in _tensors_of(x)]
    if isinstance(v, dict):
        return [t for x in v.values() for t in _tensors_of(x)]
    return []


def small(sample):
    ts = _tensors_of(sample.input) + _tensors_of(list(sample.args)) + _tensors_of(sample.kwargs)
    return all(t.numel() <= MAX_NUMEL for t in ts)


def shrunk(samples):
    """Single-tensor samples cut to their first 60 elements (3 x 20): unary ufuncs draw one 1024-element input."""
    out = []
    for smp in samples:
        if isinstance(smp.input, torch.Tensor) and not smp.args and not smp.kwargs and smp.input.numel() > MAX_NUMEL:
            x = smp.input.detach().reshape(-1)[:60].reshape(3, 20).clone().requires_grad_(smp.input.requires_grad)
            out.append(SampleInput(x))
    return out


def reference_samples(op, dtype, rg):
    try:
        return [smp for _, smp in zip(range(400), op.reference_inputs("cpu", dtype, requires_grad=rg))]
    except Exception:  # noqa: BLE001
        return []


def op_key(op):
    return op.name + ("." + op.variant_test_name if op.variant_test_name else "")


# OpInfos whose callable is a lambda taking the public function's first two arguments swapped
SWAP_FIRST_TWO = {"einsum", "nn.functional.embedding", "special.polygamma"}
# keyword arguments that only say "on the CPU, strided, no grad": dropped by the Java side unless it has them
NO_OP_KWARGS = {"device", "layout", "pin_memory", "memory_format", "requires_grad"}


def aten_base(target, pyname):
    """The aten operator a public callable most likely lowers to: torch.linalg.norm -> linalg_norm."""
    prefix = {"Linalg": "linalg_", "Special": "special_", "Fft": "fft_"}.get(target, "")
    return prefix + pyname


def run_case(op, key, index, sample, fn_info, dtype):
    target, java, label, fn, pyname = fn_info
    inp, args = sample.input, list(sample.args)
    if op.name in SWAP_FIRST_TWO:
        if not args:
            raise Skip("expected a second argument to swap")
        inp, args = args[0], [inp] + args[1:]
    if target == "method" and not isinstance(inp, torch.Tensor):
        raise Skip("method receiver is a %s" % type(inp).__name__)
    input_e = enc(inp)
    args_e = [enc(a) for a in args]
    kwargs_e = {}
    for k, v in sample.kwargs.items():
        if k == "device" and isinstance(v, str):
            v = torch.device(v)
        kwargs_e[k] = enc(v)
    if any(k == "out" for k in kwargs_e):
        raise Skip("out= argument")
    # Python-default kwargs may be left out on the Java side
    pydef = python_defaults(getattr(torch.Tensor, pyname) if target == "method" else fn)
    droppable = [k for k in kwargs_e if k in NO_OP_KWARGS and kwargs_e[k] in (
        {"t": "device", "v": "cpu"}, {"t": "layout", "v": "strided"}, {"t": "bool", "v": False},
        {"t": "memory_format", "v": "preserve_format"}, {"t": "memory_format", "v": "contiguous_format"},
        {"t": "none"})]
    for k, v in sample.kwargs.items():
        if k in droppable:
            continue
        if k in pydef:
            try:
                if k in kwargs_e and enc(pydef[k]) == kwargs_e[k]:
                    droppable.append(k)
            except Skip:
                pass

    def call(seed):
        torch.manual_seed(seed)
        i = dec(input_e) if input_e["t"] != "tensors" else dec(input_e)
        a = [dec(x) for x in args_e]
        k = {n: dec(x) for n, x in kwargs_e.items()}
        return i, a, k, fn(i, *a, **k)

    first_error = None
    for attempt in ("as drawn", "grad on input only", "no grad"):
        if attempt != "as drawn":
            # in-place ops on leaves and ops not differentiable in some argument: fewer tensors require grad
            def strip(d, keep):
                if d.get("t") == "tensor" and d.get("requires_grad") and not keep:
                    d = dict(d)
                    del d["requires_grad"]
                elif d.get("t") == "tensors":
                    d = dict(d, v=[strip(x, keep) for x in d["v"]])
                return d
            input_e = strip(input_e, attempt == "grad on input only")
            args_e = [strip(a, False) for a in args_e]
            kwargs_e = {k: strip(v, False) for k, v in kwargs_e.items()}
        try:
            i1, a1, k1, out1 = call(1234)
            break
        except Skip:
            raise
        except Exception as e:  # noqa: BLE001
            if first_error is None:
                first_error = e
    else:
        e = first_error
        raise Skip("public %s raised %s: %s" % (label, type(e).__name__, str(e).splitlines()[0][:120] if str(e) else ""))
    if out1 is None:
        raise Skip("returns None")
    with torch.no_grad():
        try:
            _, _, _, out2 = call(98765)
        except Exception as e:  # noqa: BLE001
            raise Skip("second call raised %s" % type(e).__name__)
    enc(out1, out=True, with_data=False)  # raises Skip for complex, sparse, oversized or odd results
    try:
        random = op.name in RANDOM_OPS or not same(out1, out2)
    except Exception as e:  # noqa: BLE001
        raise Skip("cannot compare results: %s" % type(e).__name__)
    if op.name in UNINITIALISED:
        random = True
    out_e = enc(out1, out=True, with_data=not random)
    if numel_of(input_e) + sum(numel_of(a) for a in args_e) + sum(numel_of(v) for v in kwargs_e.values()) \
            + numel_of(out_e) > MAX_CASE_NUMEL:
        raise Skip("case bigger than %d elements in all" % MAX_CASE_NUMEL)

    case = {"op": op.name, "variant": op.variant_test_name, "key": key, "index": index, "target": target,
            "java": java, "python": label, "aten": has_aten(aten_base(target, pyname))}
    case["input"] = input_e
    case["args"] = args_e
    case["kwargs"] = kwargs_e
    if droppable:
        case["droppable"] = sorted(droppable)
    # Python's own defaults first (what a PyTorch user leaves out: reduction='mean', training=True),
    # then the aten schema's for arguments Python's signature does not show.
    defaults = {}
    for k, v in pydef.items():
        if k.startswith("_") or k in ("size_average", "reduce", "inplace", "out"):
            continue
        try:
            defaults[k] = enc(v)
        except Skip:
            pass
    schema = {}
    for aten_name in (aten_base(target, pyname), getattr(op, "aten_name", None), pyname + "_loss"):
        if aten_name and not schema:
            schema = schema_defaults(aten_name)
    for k, v in schema.items():
        defaults.setdefault(k, v)
    if defaults:
        case["defaults"] = defaults
    case["random"] = random
    case["output"] = out_e

    # gradients of sum_i sum(out_i * w_i)
    leaves = grad_leaves(i1, a1, k1)
    outs = flat_tensors(out1)
    if leaves and not random and op.supports_autograd and op.name not in NO_GRADS:
        g = torch.Generator().manual_seed(zlib.crc32(("w/%s/%d" % (key, index)).encode()))
        cot, loss = [], None
        for o in outs:
            if o.requires_grad and o.dtype.is_floating_point and o.grad_fn is not None:
                w = (torch.randint(-4, 5, o.shape, generator=g).to(o.dtype)) / 2
                cot.append(w)
                term = (o * w).sum()
                loss = term if loss is None else loss + term
            else:
                cot.append(None)
        if loss is not None:
            try:
                grads = torch.autograd.grad(loss, [t for _, t in leaves], allow_unused=True, retain_graph=True)
                again = torch.autograd.grad(loss, [t for _, t in leaves], allow_unused=True)
                if not all((x is None and y is None) or (x is not None and y is not None and same(x, y))
                           for x, y in zip(grads, again)):
                    grads = None  # a nondeterministic backward (as_strided_scatter): no grads recorded
            except Exception:  # noqa: BLE001
                grads = None
            if grads is not None:
                case["cotangents"] = [enc(w) if w is not None else {"t": "none"} for w in cot]
                case["grads"] = [{"path": p, "grad": enc(gr) if gr is not None else {"t": "none"}}
                                 for (p, _), gr in zip(leaves, grads)]
    return case


def group_of(case):
    t = case["target"]
    if t in ("F", "Linalg", "Special", "Fft"):
        return t.lower() if t != "F" else "nn_functional"
    c = case["op"][0].lower()
    return "tensor_" + ("a-c" if c <= "c" else "d-h" if c <= "h" else "i-m" if c <= "m" else "n-r" if c <= "r"
                        else "s" if c == "s" else "t-z")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated OpInfo keys (name or name.variant); files are not written")
    ap.add_argument("--out", default=OUT_DIR)
    opts = ap.parse_args()
    only = set(opts.only.split(",")) if opts.only else None

    warnings.filterwarnings("ignore")
    torch.set_default_dtype(torch.float32)
    torch.set_num_threads(1)
    cases, skipped_ops, skipped_samples = [], [], []
    seen_keys = set()
    for op in op_db:
        key = op_key(op)
        if only and key not in only and op.name not in only:
            continue
        if key in seen_keys:
            continue
        seen_keys.add(key)
        dtype = pick_dtype(op)
        if dtype is None:
            skipped_ops.append((key, "supports no real dtype on the CPU"))
            continue
        seed = zlib.crc32(key.encode())
        torch.manual_seed(seed)
        random_mod.seed(seed)
        np.random.seed(seed)
        rg = bool(op.supports_autograd and dtype.is_floating_point)
        try:
            samples = list(op.sample_inputs("cpu", dtype, requires_grad=rg))
        except Exception as e:  # noqa: BLE001
            skipped_ops.append((key, "sample_inputs raised %s" % type(e).__name__))
            continue
        if not any(small(smp) for smp in samples):
            samples += shrunk(samples) + reference_samples(op, dtype, rg)
        n, reasons = 0, {}
        # prefer samples that differ in input rank and argument kinds over the first few (often 0-d ones)
        def signature(smp):
            i = smp.input
            rank = i.dim() if isinstance(i, torch.Tensor) else -1
            return (rank == 0, len(smp.args), tuple(sorted(smp.kwargs)))
        first, rest, seen_sig = [], [], set()
        for smp in samples:
            sig = signature(smp)
            (rest if sig in seen_sig or sig[0] else first).append(smp)
            seen_sig.add(sig)
        for sample in first + rest:
            if n >= MAX_SAMPLES:
                break
            try:
                info = target_of(op, sample.input)
                case = run_case(op, key, n, sample, info, dtype)
            except Skip as e:
                reasons[str(e)] = reasons.get(str(e), 0) + 1
                if str(e).startswith(("no public", "namespace", "private", "torch.Tensor.")):
                    break
                continue
            cases.append(case)
            n += 1
        if n == 0:
            why = "; ".join("%s (x%d)" % (r, c) for r, c in sorted(reasons.items(), key=lambda x: -x[1])[:3]) \
                or "no samples"
            skipped_ops.append((key, why))
        elif reasons:
            skipped_samples.append((key, n, "; ".join("%s (x%d)" % (r, c) for r, c in
                                                     sorted(reasons.items(), key=lambda x: -x[1])[:3])))

    ops_with_cases = sorted({c["key"] for c in cases})
    print("cases: %d, op keys with cases: %d, distinct op names: %d, op keys skipped: %d" % (
        len(cases), len(ops_with_cases), len({c["op"] for c in cases}), len(skipped_ops)))
    if only:
        for c in cases:
            print(json.dumps(c, separators=(",", ":"), allow_nan=False)[:600])
        for k, why in skipped_ops:
            print("skipped", k, why)
        return

    os.makedirs(opts.out, exist_ok=True)
    for f in os.listdir(opts.out):
        if f.endswith(".json"):
            os.remove(os.path.join(opts.out, f))
    groups = {}
    for c in cases:
        groups.setdefault(group_of(c), []).append(c)
    total = 0
    for g, cs in sorted(groups.items()):
        path = os.path.join(opts.out, g + ".json")
        with open(path, "w") as fh:
            fh.write('{"format": 1, "generator": "scripts/fixtures_ops.py", "torch": "%s",\n "cases": [\n'
                     % torch.__version__)
            fh.write(",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cs))
            fh.write("\n]}\n")
        total += os.path.getsize(path)
    print("wrote %d files, %d bytes" % (len(groups), total))

    with open(os.path.join(opts.out, "SKIPPED.md"), "w") as fh:
        fh.write("# Ops and samples left out of the golden fixtures\n\n")
        fh.write("Written by `scripts/fixtures_ops.py` (torch %s); do not edit by hand.\n\n" % torch.__version__)
        fh.write("%d cases over %d OpInfo keys (%d distinct op names). Per op at most %d samples, tensors of at most "
                 "%d elements, at most %d elements per case.\n\n" % (
                     len(cases), len(ops_with_cases), len({c["op"] for c in cases}), MAX_SAMPLES, MAX_NUMEL,
                     MAX_CASE_NUMEL))
        fh.write("## Ops with no case (%d)\n\n| OpInfo key | reason |\n|---|---|\n" % len(skipped_ops))
        for k, why in skipped_ops:
            fh.write("| `%s` | %s |\n" % (k, why.replace("|", "\\|").replace("\n", " ")))
        fh.write("\n## Ops with some samples left out (%d)\n\n| OpInfo key | cases kept | reasons samples were left out "
                 "|\n|---|---|---|\n" % len(skipped_samples))
        for k, n, why in skipped_samples:
            fh.write("| `%s` | %d | %s |\n" % (k, n, why.replace("|", "\\|").replace("\n", " ")))
        rnd = sorted({c["key"] for c in cases if c["random"]})
        fh.write("\n## Random ops (only output shape and dtype are recorded) (%d)\n\n" % len(rnd))
        for k in rnd:
            fh.write("- `%s`\n" % k)


if __name__ == "__main__":
    main()

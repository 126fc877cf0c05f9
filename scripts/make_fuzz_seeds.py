#!/usr/bin/python3
"""Writes the Python-made seed inputs of the fuzz tests (run by hand; CI never runs it).

Needs Debian's /usr/bin/python3 with torch 1.13, numpy and PIL. The seeds are small VALID files
(plus a few near-misses) so that Jazzer's mutations start deep inside each reader rather than at
its magic-number check. They go into Jazzer's inputs directories,
src/test/resources/dev/jtorch/<pkg>/<Test>Inputs/<method>/, which `mvn test` replays as regression
inputs and `scripts/fuzz` uses as the seed corpus. The seeds that only jtorch writes (StateDicts.save,
Checkpoint.save) and the framed inputs of the structured targets are made in Java afterwards:

    /usr/bin/python3 scripts/make_fuzz_seeds.py
    mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.jtorch.io.FuzzSeeds

See docs/fuzzing.md.
"""
import gzip
import io
import json
import os
import struct
import collections

import numpy as np
import torch
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'test', 'resources', 'dev', 'jtorch')


def write(rel, data):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


rng = np.random.default_rng(16)

# ---------------------------------------------------------------- IDX (data.Idx)
imgs = rng.integers(0, 256, size=(2, 3, 4), dtype=np.uint8)
images = struct.pack('>iiii', 2051, 2, 3, 4) + imgs.tobytes()
write('data/IdxFuzzTestInputs/images/two_3x4.idx', images)
write('data/IdxFuzzTestInputs/images/two_3x4.idx.gz', gzip.compress(images, mtime=0))
write('data/IdxFuzzTestInputs/images/empty_set.idx', struct.pack('>iiii', 2051, 0, 28, 28))
labels = struct.pack('>ii', 2049, 5) + bytes([3, 0, 9, 1, 7])
write('data/IdxFuzzTestInputs/labels/five.idx', labels)
write('data/IdxFuzzTestInputs/labels/five.idx.gz', gzip.compress(labels, mtime=0))
# two gzip members: the reader must read (and check) both
write('data/IdxFuzzTestInputs/labels/two_members.idx.gz',
      gzip.compress(labels[:6], mtime=0) + gzip.compress(labels[6:], mtime=0))

# ---------------------------------------------------------------- CIFAR-10 (data.Cifar10)
def cifar(label):
    return bytes([label]) + rng.integers(0, 256, size=3072, dtype=np.uint8).tobytes()


write('data/Cifar10FuzzTestInputs/readBatch/one_record.bin', cifar(3))
two = cifar(9) + cifar(0)
write('data/Cifar10FuzzTestInputs/readBatch/two_records.bin', two)
write('data/Cifar10FuzzTestInputs/readBatch/two_records.bin.gz', gzip.compress(two, mtime=0))

# ---------------------------------------------------------------- PNG / JPEG (data.ImageFiles)
# 28x28 (the size the targets ask for) in the colour models javax.imageio hands back differently:
# 8/16/1-bit grey, grey+alpha, palette, RGB, RGBA, baseline and progressive JPEG. In the class-level
# folder, so both readGray and readRgb replay them.
g = rng.integers(0, 256, size=(28, 28), dtype=np.uint8)
c = rng.integers(0, 256, size=(28, 28, 3), dtype=np.uint8)


def png(img, **kw):
    b = io.BytesIO()
    img.save(b, 'PNG', **kw)
    return b.getvalue()


def jpeg(img, **kw):
    b = io.BytesIO()
    img.save(b, 'JPEG', **kw)
    return b.getvalue()


IMG = 'data/ImageFilesFuzzTestInputs/'
write(IMG + 'gray8.png', png(Image.fromarray(g, 'L')))
write(IMG + 'gray16.png', png(Image.fromarray(g.astype(np.uint16) * 257, 'I;16')))
write(IMG + 'gray1.png', png(Image.fromarray(g > 127)))
write(IMG + 'gray_alpha.png', png(Image.fromarray(g, 'L').convert('LA')))
write(IMG + 'palette.png', png(Image.fromarray(c, 'RGB').convert('P', palette=Image.ADAPTIVE, colors=16)))
write(IMG + 'rgb.png', png(Image.fromarray(c, 'RGB')))
write(IMG + 'rgba.png', png(Image.fromarray(c, 'RGB').convert('RGBA')))
write(IMG + 'gray.jpg', jpeg(Image.fromarray(g, 'L'), quality=90))
write(IMG + 'rgb.jpg', jpeg(Image.fromarray(c, 'RGB'), quality=90))
write(IMG + 'rgb_progressive.jpg', jpeg(Image.fromarray(c, 'RGB'), quality=75, progressive=True))


# ---------------------------------------------------------------- safetensors (io.SafeTensors)
def safetensors(tensors, metadata=None):
    """The format by hand (no safetensors package here): sorted by dtype width as the reference."""
    header, data = {}, b''
    if metadata:
        header['__metadata__'] = metadata
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [len(data), len(data) + len(raw)]}
        data += raw
    js = json.dumps(header, separators=(',', ':')).encode()
    js += b' ' * (-len(js) % 8)
    return struct.pack('<Q', len(js)) + js + data


ST = 'io/SafeTensorsFuzzTestInputs/load/'
f32 = np.arange(6, dtype='<f4').reshape(2, 3)
write(ST + 'two_tensors.safetensors', safetensors({
    'weight': ('F32', [2, 3], f32.tobytes()),
    'bias': ('I64', [2], np.array([-1, 7], '<i8').tobytes())}, {'format': 'pt'}))
write(ST + 'all_dtypes.safetensors', safetensors({
    'f64': ('F64', [1], np.array([1.5], '<f8').tobytes()),
    'i64': ('I64', [1], np.array([2], '<i8').tobytes()),
    'f32': ('F32', [2], np.array([3, 4], '<f4').tobytes()),
    'i32': ('I32', [1], np.array([5], '<i4').tobytes()),
    'f16': ('F16', [2], np.array([0.5, -2], '<f2').tobytes()),
    'bf16': ('BF16', [1], bytes([0x80, 0x3f])),
    'i16': ('I16', [1], np.array([-3], '<i2').tobytes()),
    'i8': ('I8', [1], bytes([0xfe])),
    'u8': ('U8', [2], bytes([0, 255])),
    'bool': ('BOOL', [2], bytes([0, 1]))}))
write(ST + 'scalar_and_empty.safetensors', safetensors({
    'scalar': ('F32', [], np.array([9], '<f4').tobytes()),
    'empty': ('F32', [0, 4], b'')}))
write(ST + 'no_tensors.safetensors', safetensors({}, {'note': 'empty'}))

# ---------------------------------------------------------------- torch.save (io.StateDicts)
torch.manual_seed(0)
SD = 'io/StateDictsFuzzTestInputs/loadFile/'


def saved(obj, **kw):
    b = io.BytesIO()
    torch.save(obj, b, **kw)
    return b.getvalue()


lin = torch.nn.Linear(3, 2)
write(SD + 'linear_ordered.pt', saved(lin.state_dict()))
write(SD + 'plain_dict.pt', saved({'w': torch.arange(6.).reshape(2, 3), 'n': torch.tensor([1, 2], dtype=torch.int64)}))
base = torch.arange(12, dtype=torch.float32)
# views of one storage: an offset, a transposed (non-contiguous) one, a scalar
write(SD + 'views.pt', saved(collections.OrderedDict(
    [('tail', base[4:]), ('t', base.reshape(3, 4).t()), ('one', base[3])])))
write(SD + 'dtypes.pt', saved({
    'f64': torch.tensor([1.5], dtype=torch.float64), 'f16': torch.tensor([0.5], dtype=torch.float16),
    'bf16': torch.tensor([1.0], dtype=torch.bfloat16), 'i32': torch.tensor([-5], dtype=torch.int32),
    'i16': torch.tensor([7], dtype=torch.int16), 'i8': torch.tensor([-1], dtype=torch.int8),
    'u8': torch.tensor([200], dtype=torch.uint8), 'b': torch.tensor([True, False])}))
write(SD + 'parameter.pt', saved({'p': torch.nn.Parameter(torch.ones(2))}))
write(SD + 'empty_dict.pt', saved({}))
write(SD + 'not_tensors.pt', saved({'epoch': 3, 'note': 'not tensors'}))
write(SD + 'legacy.pt', saved(lin.state_dict(), _use_new_zipfile_serialization=False))

print('wrote fuzz seeds under', os.path.normpath(ROOT))

#!/usr/bin/python3
"""Writes the small data fixtures under src/test/resources/data (run by hand; CI never runs it).

Needs Debian's /usr/bin/python3 with numpy and PIL, and the dataset-fashion-mnist package:
the IDX fixtures are the first five images of the real Fashion-MNIST train and test files, so the
Java readers are checked against the published bytes; expected.json holds what PIL decodes from the
PNG/JPEG fixtures (PIL's convert('L') is the luminance jtorch must match) and the CIFAR-10 batch's
labels and per-plane sums.
"""
import gzip, io, json, os, struct
import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'test', 'resources', 'data')
FASHION = '/usr/share/datasets/fashion-mnist'
N = 5


def read_idx(name):
    with gzip.open(os.path.join(FASHION, name), 'rb') as f:
        data = f.read()
    magic = struct.unpack('>i', data[:4])[0]
    if magic == 2051:
        n, r, c = struct.unpack('>iii', data[4:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(n, r, c)
    assert magic == 2049
    return np.frombuffer(data, np.uint8, offset=8)


def idx_images(a):
    return struct.pack('>iiii', 2051, a.shape[0], a.shape[1], a.shape[2]) + a.tobytes()


def idx_labels(a):
    return struct.pack('>ii', 2049, a.shape[0]) + a.astype(np.uint8).tobytes()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


expected = {}
for split in ('train', 't10k'):
    imgs = read_idx(f'{split}-images-idx3-ubyte.gz')[:N].copy()
    labs = read_idx(f'{split}-labels-idx1-ubyte.gz')[:N].copy()
    for name, data in ((f'{split}-images-idx3-ubyte', idx_images(imgs)),
                       (f'{split}-labels-idx1-ubyte', idx_labels(labs))):
        write(os.path.join(ROOT, 'fashion-mnist-raw', name), data)
        write(os.path.join(ROOT, 'fashion-mnist-gz', name + '.gz'), gzip.compress(data, mtime=0))
    expected[split] = {
        'labels': labs.tolist(),
        'sums': [int(x) for x in imgs.reshape(N, -1).sum(1)],
        'image0': imgs[0].reshape(-1).tolist(),
    }
    if split == 'train':
        train = imgs

# 28x28 grayscale PNG and JPEG of training images 0 and 1; what PIL decodes is the reference.
Image.fromarray(train[0], 'L').save(os.path.join(ROOT, 'gray28.png'))
Image.fromarray(train[1], 'L').save(os.path.join(ROOT, 'gray28.jpg'), quality=95)
expected['gray28_png'] = np.asarray(Image.open(os.path.join(ROOT, 'gray28.png'))).reshape(-1).tolist()
expected['gray28_jpg'] = np.asarray(Image.open(os.path.join(ROOT, 'gray28.jpg')).convert('L')).reshape(-1).tolist()

# A colour PNG: random RGB; the reference is PIL's ITU-R 601-2 luma (convert('L')).
rng = np.random.default_rng(7)
rgb = rng.integers(0, 256, size=(28, 28, 3), dtype=np.uint8)
Image.fromarray(rgb, 'RGB').save(os.path.join(ROOT, 'colour28.png'))
expected['colour28_png'] = np.asarray(Image.open(os.path.join(ROOT, 'colour28.png')).convert('L')).reshape(-1).tolist()
expected['colour28_rgb_planes'] = rgb.transpose(2, 0, 1).reshape(-1).tolist()

# A 32x32 PNG: the wrong size for the 28x28 models.
Image.fromarray(rng.integers(0, 256, size=(32, 32), dtype=np.uint8), 'L').save(os.path.join(ROOT, 'gray32.png'))

# A CIFAR-10 binary batch of five records: label byte, then 1024 R, 1024 G, 1024 B.
labels = np.array([3, 8, 0, 9, 1], np.uint8)
pix = rng.integers(0, 256, size=(N, 3, 32, 32), dtype=np.uint8)
rec = b''.join(bytes([labels[i]]) + pix[i].tobytes() for i in range(N))
write(os.path.join(ROOT, 'cifar-10', 'test_batch.bin'), rec)
expected['cifar'] = {
    'labels': labels.tolist(),
    'plane_sums': [[int(pix[i, c].sum()) for c in range(3)] for i in range(N)],
    'first_pixels': [[int(pix[i, c, 0, 0]) for c in range(3)] for i in range(N)],
}

# DataLoader.permutation's documented generator, re-implemented from its Javadoc: SplitMix64 seeded
# from (seed, epoch), rejection-sampled bounds, Fisher-Yates from the end.
M = (1 << 64) - 1


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def permutation(n, seed, epoch):
    state = mix64((seed & M) ^ 0x6A09E667F3BCC909) ^ mix64((epoch * 0x9E3779B97F4A7C15 + 0xBB67AE8584CAA73B) & M)
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        bound = i + 1
        limit = ((2**63 - 1) // bound) * bound
        while True:
            state = (state + 0x9E3779B97F4A7C15) & M
            r = mix64(state) >> 1
            if r < limit:
                break
        j = r % bound
        p[i], p[j] = p[j], p[i]
    return p


expected['permutations'] = [{'n': n, 'seed': seed, 'epoch': e, 'permutation': permutation(n, seed, e)}
                            for n, seed, e in ((10, 0, 0), (10, 0, 1), (20, 42, 3), (50, -1, 7))]

with open(os.path.join(ROOT, 'expected.json'), 'w') as f:
    json.dump(expected, f)
    f.write('\n')
print('wrote fixtures under', os.path.normpath(ROOT))

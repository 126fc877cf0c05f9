#!/usr/bin/python3
"""Writes src/generator/resources/python_api.txt: where PyTorch's Python API exposes each name.

The op generator reads libtorch 2.10's own schemas for what each operator takes and returns;
a schema does not say whether Python shows the operator as a Tensor method, a torch function or
an nn.functional function (native_functions.yaml's `variants` and `python_module`). This list,
taken from Debian's python3-torch (1.13), answers that. Names PyTorch added after 1.13 are in
python_api_extra.txt beside it, by hand.

Run: /usr/bin/python3 scripts/dump_python_api.py
"""
import inspect
import os
import torch
import torch.nn.functional as F

out = []


def public(names):
    return sorted(n for n in names if not n.startswith('_'))


out += ['tensor ' + n for n in public(dir(torch.Tensor))]
out += ['torch ' + n for n in public(dir(torch)) if callable(getattr(torch, n, None))
        and not inspect.isclass(getattr(torch, n)) and not inspect.ismodule(getattr(torch, n))]
out += ['nn ' + n for n in public(dir(torch._C._nn))]
out += ['F ' + n for n in public(dir(F)) if inspect.isfunction(getattr(F, n)) or inspect.isbuiltin(getattr(F, n))]
for ns in ('linalg', 'special', 'fft'):
    mod = getattr(torch, ns)
    out += [ns + ' ' + n for n in public(dir(mod)) if callable(getattr(mod, n))]

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
path = os.path.join(root, 'src', 'generator', 'resources', 'python_api.txt')
with open(path, 'w') as f:
    f.write('# where PyTorch %s exposes each public name: scripts/dump_python_api.py writes this file\n'
            % torch.__version__.split('+')[0])
    f.write('\n'.join(out) + '\n')
print(len(out), 'names ->', path)

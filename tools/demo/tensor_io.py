"""Minimal safetensors reader/writer (no safetensors package on this machine).

Layout (fixtures README section 1): u64 LE header length n, n bytes of JSON padded with spaces to
a multiple of 8, then raw little-endian data; offsets are relative to the first data byte.
"""
import json
import struct

import numpy as np
import torch

_NP = {'F32': np.float32, 'F16': np.float16, 'I32': np.int32, 'I64': np.int64, 'U8': np.uint8}


def read_safetensors(path):
    """-> (dict name -> float32 torch tensor, metadata dict). BF16 is upcast exactly."""
    raw = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    if n > len(raw) - 8:
        raise ValueError(f'{path}: header length {n} exceeds file size')
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        b, e = info['data_offsets']
        if e > len(data):
            raise ValueError(f'{path}: tensor {name} extends beyond the end of the file')
        buf = data[b:e]
        if info['dtype'] == 'BF16':
            bits = np.frombuffer(buf, dtype='<u2').astype(np.uint32) << 16
            arr = bits.view(np.float32)
        else:
            arr = np.frombuffer(buf, dtype=np.dtype(_NP[info['dtype']]).newbyteorder('<'))
        out[name] = torch.from_numpy(arr.reshape(info['shape']).astype(np.float32, copy=True))
    return out, meta


def bf16_bits(t):
    """float32 tensor -> uint16 numpy bits, round-to-nearest-even (same as torch's cast)."""
    return t.detach().to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)


def round_bf16(t):
    return t.detach().to(torch.bfloat16).to(torch.float32)


def write_safetensors(path, tensors, dtype='F32', metadata=None):
    """tensors: name -> float torch tensor; stored as F32 or BF16, in the given order."""
    header, chunks, off = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().to(torch.float32)
        buf = bf16_bits(t).astype('<u2').tobytes() if dtype == 'BF16' else t.numpy().astype('<f4').tobytes()
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [off, off + len(buf)]}
        chunks.append(buf)
        off += len(buf)
    head = {'__metadata__': metadata or {'format': 'pt'}}
    head.update(header)
    hb = json.dumps(head, separators=(',', ':')).encode()
    hb += b' ' * ((8 - len(hb) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(hb)))
        f.write(hb)
        for c in chunks:
            f.write(c)

"""Checks tools/demo/gemma2.py against ../shared/fixtures (the gemma_pytorch reference).

Usage: /usr/bin/python3 tools/demo/check_forward.py [--fixtures DIR] [--out FILE.json]
Exits 1 when any quantity misses the fixtures README section 8 tolerance (1e-4 relative).
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gemma2 import Config, forward, merge_lora  # noqa: E402
from tensor_io import read_safetensors  # noqa: E402

TOL = 1e-4
ADAPTERS = ('r4', 'r8', 'r16', 'r32')


def rel(got, ref):
    got, ref = np.asarray(got, np.float64), np.asarray(ref, np.float64)
    return float(np.abs(got - ref).max() / np.abs(ref).max())


def load_lora(folder):
    """PEFT folder -> module name -> (A, B, scaling); plain r / lora_alpha (no patterns)."""
    cfg = json.load(open(os.path.join(folder, 'adapter_config.json')))
    assert not cfg.get('rank_pattern') and not cfg.get('alpha_pattern'), 'patterns not supported here'
    r, alpha = cfg['r'], cfg['lora_alpha']
    s = alpha / math.sqrt(r) if cfg.get('use_rslora') else alpha / r
    t, _ = read_safetensors(os.path.join(folder, 'adapter_model.safetensors'))
    lora = {}
    for name in t:
        if name.endswith('.lora_A.weight'):
            mod = name[len('base_model.model.'):-len('.lora_A.weight')]
            lora[mod] = (t[name], t[name.replace('lora_A', 'lora_B')], s)
    return lora


def stack(resid):
    return torch.stack(resid).detach().numpy()


def check(fx):
    cfg = Config.from_hf(json.load(open(os.path.join(fx, 'model/config.json'))))
    W, _ = read_safetensors(os.path.join(fx, 'model/model.safetensors'))
    ref = os.path.join(fx, 'reference')
    ids = torch.from_numpy(np.load(os.path.join(ref, 'input_ids.npy')).astype(np.int64))
    out = {}
    with torch.no_grad():
        base_resid, base_logits = forward(cfg, W, ids)
        base = stack(base_resid)
        out['base.resid_post'] = rel(base, np.load(os.path.join(ref, 'base/resid_post.npy')))
        out['base.logits'] = rel(base_logits, np.load(os.path.join(ref, 'base/logits.npy')))
        Wb, _ = read_safetensors(os.path.join(fx, 'model-bf16/model.safetensors'))
        rb, lb = forward(cfg, Wb, ids)
        out['base_bf16.resid_post'] = rel(stack(rb), np.load(os.path.join(ref, 'base_bf16/resid_post.npy')))
        out['base_bf16.logits'] = rel(lb, np.load(os.path.join(ref, 'base_bf16/logits.npy')))
        for name in ADAPTERS:
            lora = load_lora(os.path.join(fx, 'adapters', name))
            refp = np.load(os.path.join(ref, 'adapters', name, 'resid_post.npy'))
            merged_resid, merged_logits = forward(cfg, merge_lora(W, lora), ids)
            unmerged_resid, unmerged_logits = forward(cfg, W, ids, lora=lora)
            merged, unmerged = stack(merged_resid), stack(unmerged_resid)
            out[f'{name}.merged.resid_post'] = rel(merged, refp)
            out[f'{name}.unmerged.resid_post'] = rel(unmerged, refp)
            delta_ref = np.load(os.path.join(ref, 'adapters', name, 'delta.npy'))
            out[f'{name}.unmerged.delta_over_max_resid'] = float(
                np.abs((unmerged - base) - delta_ref).max() / np.abs(refp).max())
            if name == 'r8':
                out['r8.merged.logits'] = rel(merged_logits, np.load(os.path.join(ref, 'adapters/r8/logits.npy')))
                out['r8.unmerged.logits'] = rel(unmerged_logits, np.load(os.path.join(ref, 'adapters/r8/logits.npy')))
        long_dir = os.path.join(ref, 'long')
        if os.path.isdir(long_dir):
            lids = torch.from_numpy(np.load(os.path.join(long_dir, 'input_ids.npy')).astype(np.int64))
            lr, ll = forward(cfg, W, lids)
            out['long.base.resid_post'] = rel(stack(lr), np.load(os.path.join(long_dir, 'base/resid_post.npy')))
            out['long.base.logits_last4'] = rel(ll[:, -4:], np.load(os.path.join(long_dir, 'base/logits_last4.npy')))
            for name in ('r8', 'r32'):
                lora = load_lora(os.path.join(fx, 'adapters', name))
                ar, _ = forward(cfg, W, lids, lora=lora, want_logits=False)
                out[f'long.{name}.unmerged.resid_post'] = rel(
                    stack(ar), np.load(os.path.join(long_dir, 'adapters', name, 'resid_post.npy')))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument('--fixtures', default=os.path.normpath(os.path.join(here, '../../../shared/fixtures')))
    ap.add_argument('--out')
    a = ap.parse_args()
    torch.set_num_threads(1)
    res = check(a.fixtures)
    worst = max(res.values())
    report = {'tolerance': TOL, 'max_rel': worst, 'passed': worst < TOL, 'checks': res}
    text = json.dumps(report, indent=2)
    print(text)
    if a.out:
        with open(a.out, 'w') as f:
            f.write(text + '\n')
    sys.exit(0 if worst < TOL else 1)


if __name__ == '__main__':
    main()

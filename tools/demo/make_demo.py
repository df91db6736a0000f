"""Builds public/demo: tokenizer, a trained small Gemma-2, four LoRA adapters, two JumpReLU SAEs, a dataset.

Usage (from the repository root; Debian's python3-torch, single thread, deterministic):
    apt-get install -y bible-kjv-text bible-kjv dict-gcide
    /usr/bin/python3 tools/demo/make_demo.py [--out public/demo] [--quick]
Every number it measures goes to OUT/assets.json and OUT/README.md.
"""
import argparse
import hashlib
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bpe  # noqa: E402
import check_forward  # noqa: E402
import corpora  # noqa: E402
import train_lm  # noqa: E402
import train_sae  # noqa: E402
from gemma2 import PROJ, Config, forward, module_name  # noqa: E402
from tensor_io import round_bf16, write_safetensors  # noqa: E402
from write_readme import write_readme  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, '../..'))
CFG = Config(hidden_size=128, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2, head_dim=32,
             intermediate_size=256, vocab_size=1024, sliding_window=32, attn_logit_softcapping=50.0,
             final_logit_softcapping=30.0, query_pre_attn_scalar=32, rms_norm_eps=1e-6, rope_theta=10000.0,
             max_position_embeddings=256)
SEEDS = {'gcide_split': 1913, 'base': 1611, 'lora': {4: 104, 8: 108, 16: 116, 32: 132}, 'sae': {1: 201, 3: 203}}
RANKS = (4, 8, 16, 32)
SAE_LAYERS = (1, 3)
SEQ = 128                 # training context (BOS + 127 tokens)
DEMO_SEQ = 64             # sequence length the demo run uses
FULL = {'base_steps': 480, 'base_batch': 8, 'base_lr': 4e-3, 'base_threads': 1, 'lora_steps': 60,
        'lora_batch': 8, 'lora_lr': 4e-3, 'sae_tokens_windows': 160, 'sae_steps': 600, 'sae_batch': 512,
        'sae_lr': 2e-3,
        'sae_width_factor': 4, 'sae_target_l0': 24, 'sae_bandwidth': 1e-3, 'eval_windows': 32,
        'gcide_train_bytes': 1_200_000, 'gcide_held_bytes': 100_000}
QUICK = dict(FULL, base_steps=10, lora_steps=3, sae_steps=30, sae_tokens_windows=16, eval_windows=4)


def log(msg):
    print(time.strftime('%H:%M:%S'), msg, flush=True)


def sha256(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def save_model(out, W):
    os.makedirs(os.path.join(out, 'model'), exist_ok=True)
    with open(os.path.join(out, 'model/config.json'), 'w') as f:
        json.dump(CFG.to_hf(), f, indent=2)
        f.write('\n')
    write_safetensors(os.path.join(out, 'model/model.safetensors'), W, dtype='BF16')


def save_adapter(folder, r, alpha, ab):
    os.makedirs(folder, exist_ok=True)
    cfg = {
        'alpha_pattern': {}, 'auto_mapping': None, 'base_model_name_or_path': 'deltascope-demo', 'bias': 'none',
        'fan_in_fan_out': False, 'inference_mode': True, 'init_lora_weights': True, 'layers_pattern': None,
        'layers_to_transform': None, 'lora_alpha': alpha, 'lora_dropout': 0.0, 'modules_to_save': None,
        'peft_type': 'LORA', 'r': r, 'rank_pattern': {}, 'revision': None, 'target_modules': list(PROJ),
        'task_type': 'CAUSAL_LM', 'use_dora': False, 'use_rslora': False,
    }
    with open(os.path.join(folder, 'adapter_config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
        f.write('\n')
    tensors = {}
    for name, (A, B) in ab.items():
        tensors[f'base_model.model.{name}.lora_A.weight'] = A
        tensors[f'base_model.model.{name}.lora_B.weight'] = B
    write_safetensors(os.path.join(folder, 'adapter_model.safetensors'), tensors, dtype='F32')


@torch.no_grad()
def resid_rows(W, windows, layers, lora=None, chunk=32):
    """resid_post rows [n, d] per layer over all windows, position 0 (BOS) excluded."""
    out = {L: [] for L in layers}
    for k in range(0, len(windows), chunk):
        resid, _ = forward(CFG, W, windows[k:k + chunk], lora=lora, want_logits=False)
        for L in layers:
            out[L].append(resid[L][:, 1:].reshape(-1, CFG.hidden_size))
    return {L: torch.cat(v) for L, v in out.items()}


def build_sample(ft_held, kjv_held, ft_bytes, kjv_bytes, block):
    """Blocks of about `block` bytes: three dictionary blocks, then one Bible block, repeated."""
    def blocks(lines, total):
        out, cur, n = [], [], 0
        for line in lines:
            if n >= total:
                break
            cur.append(line)
            n += len(line) + 1
            if sum(len(x) + 1 for x in cur) >= block:
                out.append(cur)
                cur = []
        if cur and n <= total + block:
            out.append(cur)
        return out
    g, k = blocks(ft_held, ft_bytes), blocks(kjv_held, kjv_bytes)
    parts = []
    while g or k:
        for _ in range(3):
            if g:
                parts.append(g.pop(0))
        if k:
            parts.append(k.pop(0))
    return ''.join(line + '\n' for p in parts for line in p)


_SHARED = {}


def _job(job):
    """One adapter or one SAE, in a forked worker (inputs in _SHARED)."""
    torch.set_num_threads(1)
    kind, key = job
    S, H = _SHARED, _SHARED['H']
    prefix = f'[{kind} {key}] '
    if kind == 'lora':
        r = key
        ab, curve = train_lm.train_lora(CFG, S['W'], S['stream'], r, 2 * r, SEEDS['lora'][r], H['lora_steps'],
                                        H['lora_batch'], SEQ, H['lora_lr'], 10, lambda m: log(prefix + m))
        lora = {n: (A, B, 2.0) for n, (A, B) in ab.items()}
        losses = {k: train_lm.evaluate(CFG, S['W'], v, lora) for k, v in S['held'].items()}
        return ab, {'r': r, 'lora_alpha': 2 * r, 'curve': curve, 'held_out_loss': losses}
    L = key
    m = H['sae_width_factor'] * CFG.hidden_size
    x = S['rows'][L]
    p, curve, info = train_sae.train_jumprelu(x, m, SEEDS['sae'][L], H['sae_steps'], H['sae_batch'], H['sae_lr'],
                                              H['sae_target_l0'], H['sae_bandwidth'], 100, lambda s: log(prefix + s))
    return p, {'layer': L, 'd': CFG.hidden_size, 'm': m, 'train_tokens': int(x.shape[0]), 'curve': curve, **info,
               'train': train_sae.stats(p, x), 'held_out_base': train_sae.stats(p, S['held_rows']['base'][L]),
               'held_out_ft': train_sae.stats(p, S['held_rows']['ft'][L])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(ROOT, 'public/demo'))
    ap.add_argument('--quick', action='store_true', help='tiny step counts, to test the script')
    ap.add_argument('--cache', default='/tmp/deltascope-demo-cache', help='reuse a trained base model ("" = off)')
    a = ap.parse_args()
    H = QUICK if a.quick else FULL
    torch.set_num_threads(1)
    t_start = time.time()
    out = a.out
    for sub in ('model', 'tokenizer', 'adapters', 'sae', 'dataset'):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    os.makedirs(out, exist_ok=True)
    rec = {'generator': 'tools/demo/make_demo.py', 'quick': a.quick, 'hyper': H, 'seeds': SEEDS,
           'torch': torch.__version__, 'numpy': np.__version__, 'python': platform.python_version()}

    log('checking the forward pass against ../shared/fixtures')
    fx = check_forward.check(os.path.normpath(os.path.join(ROOT, '../shared/fixtures')))
    rec['fixture_check'] = {'max_rel': max(fx.values()), 'tolerance': check_forward.TOL, 'checks': fx}
    assert max(fx.values()) < check_forward.TOL, fx

    log('corpora')
    kjv_train, kjv_held = corpora.split_kjv(corpora.kjv_verses())
    ft_train, ft_held = corpora.split_gcide(corpora.gcide_entries(), SEEDS['gcide_split'],
                                            H['gcide_train_bytes'], H['gcide_held_bytes'])
    base_text, base_held_text = '\n'.join(kjv_train), '\n'.join(kjv_held)
    ft_text, ft_held_text = '\n'.join(ft_train), '\n'.join(ft_held)

    log('tokenizer')
    vocab, merges = bpe.train(base_text, CFG.vocab_size)
    assert len(vocab) == CFG.vocab_size, len(vocab)
    bpe.write_tokenizer(os.path.join(out, 'tokenizer'), vocab, merges, CFG.max_position_embeddings)
    enc = bpe.Encoder(vocab, merges)
    streams = {name: np.array(enc.encode(text, bos=False), dtype=np.int32) for name, text in
               (('base_train', base_text), ('base_held', base_held_text), ('ft_train', ft_text),
                ('ft_held', ft_held_text))}
    counts = np.bincount(streams['base_train'], minlength=CFG.vocab_size).astype(np.float64)
    prob = counts[counts > 0] / counts.sum()
    rec['corpora'] = {
        'base': {'source': 'King James Bible, Debian bible-kjv-text (read with `bible` from bible-kjv)',
                 'train_verses': len(kjv_train), 'held_out_verses': len(kjv_held),
                 'held_out_rule': 'verse index % 50 == 7 (canonical order, 0-based)',
                 'train_bytes': len(base_text.encode()), 'held_out_bytes': len(base_held_text.encode()),
                 'train_tokens': int(len(streams['base_train'])), 'held_out_tokens': int(len(streams['base_held']))},
        'fine_tune': {'source': 'GCIDE (Webster 1913 + WordNet), Debian dict-gcide, /usr/share/dictd/gcide.dict.dz; '
                                'entries cleaned to one line each (corpora.clean_entry), ASCII only, 40-600 chars',
                      'split': f'seeded shuffle (seed {SEEDS["gcide_split"]}) of all kept entries; first '
                               f'{H["gcide_train_bytes"]} bytes train, next {H["gcide_held_bytes"]} bytes held out',
                      'train_entries': len(ft_train), 'held_out_entries': len(ft_held),
                      'train_bytes': len(ft_text.encode()), 'held_out_bytes': len(ft_held_text.encode()),
                      'train_tokens': int(len(streams['ft_train'])), 'held_out_tokens': int(len(streams['ft_held']))},
        'unigram_entropy_base_nats': float(-(prob * np.log(prob)).sum()),
    }
    rec['tokenizer'] = {'vocab_size': len(vocab), 'merges': len(merges), 'trained_on': 'base train text',
                        'base_chars_per_token': len(base_text) / len(streams['base_train']),
                        'ft_chars_per_token': len(ft_text) / len(streams['ft_train'])}
    log(json.dumps(rec['corpora']) + json.dumps(rec['tokenizer']))

    held = {k: train_lm.eval_windows(streams[s], H['eval_windows'], SEQ)
            for k, s in (('base', 'base_held'), ('ft', 'ft_held'))}
    log('base model')
    torch.set_num_threads(H['base_threads'])
    key = hashlib.sha256(json.dumps([CFG.to_hf(), H, SEEDS, streams['base_train'][:1000].tolist()]).encode())
    cache = os.path.join(a.cache, key.hexdigest()[:16] + '.pt') if a.cache else None
    if cache and os.path.exists(cache):
        W32, curve = torch.load(cache)      # same config, hyper-parameters, seeds and data: same result
        log(f'base model from cache {cache}')
    else:
        W32, curve = train_lm.train_base(CFG, streams['base_train'], held['base'], SEEDS['base'], H['base_steps'],
                                         H['base_batch'], SEQ, H['base_lr'], 10, log)
        if cache:
            os.makedirs(a.cache, exist_ok=True)
            torch.save((W32, curve), cache)
    torch.set_num_threads(1)
    W = {k: round_bf16(v) for k, v in W32.items()}      # what ships (BF16); everything below uses it
    save_model(out, W)
    rec['base_model'] = {
        'config': CFG.to_hf(), 'dtype': 'BF16 (trained in F32, rounded to nearest even)', 'curve': curve,
        'params': int(sum(v.numel() for v in W.values())),
        'f32_held_out_loss': {k: train_lm.evaluate(CFG, W32, v) for k, v in held.items()},
        'held_out_loss': {k: train_lm.evaluate(CFG, W, v) for k, v in held.items()},
    }
    log(json.dumps(rec['base_model']['held_out_loss']))

    # adapters and SAEs are independent: one single-threaded process each (results do not depend on scheduling)
    log('adapters and SAEs (parallel processes)')
    rng = np.random.default_rng(SEEDS['sae'][SAE_LAYERS[0]])
    sae_inp, _ = train_lm.batch(streams['base_train'], rng, H['sae_tokens_windows'], SEQ)
    rows = resid_rows(W, sae_inp, SAE_LAYERS)
    held_rows = {k: resid_rows(W, v[0], SAE_LAYERS) for k, v in held.items()}
    _SHARED.update(W=W, H=H, stream=streams['ft_train'], held=held, rows=rows, held_rows=held_rows)
    jobs = [('lora', r) for r in (32, 16, 8, 4)] + [('sae', L) for L in SAE_LAYERS]
    with multiprocessing.get_context('fork').Pool(len(jobs)) as pool:
        results = dict(zip(jobs, pool.map(_job, jobs)))
    rec['adapters'] = {}
    for r in RANKS:
        ab, entry = results[('lora', r)]
        save_adapter(os.path.join(out, f'adapters/r{r}'), r, 2 * r, ab)
        rec['adapters'][f'r{r}'] = entry
        log(f'r{r} ' + json.dumps(entry['held_out_loss']))
    rec['saes'] = {}
    for L in SAE_LAYERS:
        p, entry = results[('sae', L)]
        folder = os.path.join(out, f'sae/layer-{L}')
        os.makedirs(folder, exist_ok=True)
        arrays = {k: np.ascontiguousarray(v.numpy(), dtype=np.float32) for k, v in p.items()}   # C order
        np.savez(os.path.join(folder, 'params.npz'), **arrays)
        rec['saes'][str(L)] = entry
        log(f'sae layer {L} ' + json.dumps({k: entry[k] for k in ('train', 'held_out_base')}))

    log('dataset sample')
    sample = build_sample(ft_held, kjv_held, 18_000, 6_000, 2_000)
    os.makedirs(os.path.join(out, 'dataset'), exist_ok=True)
    with open(os.path.join(out, 'dataset/sample.txt'), 'w') as f:
        f.write(sample)
    sample_ids = enc.encode(sample)
    rec['dataset'] = {'path': 'dataset/sample.txt', 'bytes': len(sample.encode()), 'tokens_with_bos': len(sample_ids),
                      'lines': sample.count('\n'),
                      'composition': 'held-out GCIDE entries (blocks of ~2 KB) and held-out KJV verses, '
                                     'three dictionary blocks then one Bible block, repeated; one entry/verse a line'}
    rec['demo_deltas'] = demo_deltas(W, sample_ids, out)

    log('tokenizer expectations + transformers.js check')
    write_token_expectations(out, enc, sample, sample_ids)
    rec['tokenizer']['transformers_js'] = run_js_check(out)

    demo = {'name': 'deltascope demo: KJV base, GCIDE LoRA adapters', 'model': 'model/', 'tokenizer': 'tokenizer/',
            'adapters': [f'adapters/r{r}' for r in RANKS], 'dataset': 'dataset/sample.txt',
            'layers': list(SAE_LAYERS), 'saes': {str(L): f'sae/layer-{L}/params.npz' for L in SAE_LAYERS},
            'sequenceLength': DEMO_SEQ, 'maxSequences': 128, 'dtype': 'f32',
            # JumpReLU delta SAEs learn their sparsity (TopK's mean L0 is k by construction). Thresholds start
            # at about half the scaled inputs' per-latent spread and the kernel is wide, so the L0 penalty moves
            # them within the demo's 60 steps (Gemma Scope's 0.001 / 0.001 needs thousands).
            'suggestedSae': {'arch': 'jumprelu', 'width': 4 * CFG.hidden_size, 'l0': 2.0, 'bandwidth': 0.1, 'threshold': 0.5}}
    with open(os.path.join(out, 'demo.json'), 'w') as f:
        json.dump(demo, f, indent=2)
        f.write('\n')
    rec['seconds'] = round(time.time() - t_start, 1)
    rec['cpu_seconds'] = round(time.process_time(), 1)
    files = {}
    for base, _, names in os.walk(out):
        for n in sorted(names):
            p = os.path.join(base, n)
            rel = os.path.relpath(p, out)
            # bundle.zip/bundle.json: the result bundle, made afterwards by make-bundle.mjs from these assets
            if rel not in ('assets.json', 'README.md', 'bundle.zip', 'bundle.json'):
                files[rel] = {'bytes': os.path.getsize(p), 'sha256': sha256(p)}
    rec['files'] = dict(sorted(files.items()))
    rec['total_bytes'] = sum(f['bytes'] for f in files.values())
    with open(os.path.join(out, 'assets.json'), 'w') as f:
        json.dump(rec, f, indent=2)
        f.write('\n')
    write_readme(out, rec, demo)
    log(f'done in {rec["seconds"]} s, {rec["total_bytes"]} bytes')


@torch.no_grad()
def demo_deltas(W, sample_ids, out):
    """What the demo run should find: mean per-token ||delta|| per adapter and layer on the sample (64-token
    sequences, BOS + 63 ids, BOS excluded), base norm, and the shipped SAEs' FVU on resid_post and on the deltas
    as a difference of reconstructions, recon(ft) - recon(base)."""
    body = sample_ids[1:]
    n = min(128, len(body) // (DEMO_SEQ - 1))
    seqs = torch.tensor([[bpe.BOS] + body[k * (DEMO_SEQ - 1):(k + 1) * (DEMO_SEQ - 1)] for k in range(n)])
    layers = list(range(CFG.num_hidden_layers))
    base = resid_rows(W, seqs, layers)
    res = {'sequences': n, 'base_norm': {str(L): float(base[L].norm(dim=1).mean()) for L in layers}, 'delta_norm': {}}
    saes = {L: {k: torch.from_numpy(v) for k, v in np.load(os.path.join(out, f'sae/layer-{L}/params.npz')).items()}
            for L in SAE_LAYERS}
    res['sae_on_base'] = {str(L): train_sae.stats(saes[L], base[L]) for L in SAE_LAYERS}
    res['sae_on_delta'] = {}
    from check_forward import load_lora
    for r in RANKS:
        lora = load_lora(os.path.join(out, f'adapters/r{r}'))
        ft = resid_rows(W, seqs, layers, lora=lora)
        res['delta_norm'][f'r{r}'] = {str(L): float((ft[L] - base[L]).norm(dim=1).mean()) for L in layers}
        res['sae_on_delta'][f'r{r}'] = {str(L): train_sae.delta_stats(saes[L], base[L], ft[L]) for L in SAE_LAYERS}
    return res


def write_token_expectations(out, enc, sample, sample_ids):
    texts = ['In the beginning God created the heaven and the earth.',
             'Lamb, n. 1. (Zool.) The young of the sheep.',
             'And he said, Behold, I am here.', 'Syn: Illustriously; honorably; magnanimously.',
             'Caf\u00e9 na\u00efve \u2014 r\u00e9sum\u00e9 \U0001F600', '', ' leading and  double  spaces ',
             'line one\nline two\n', 'Zz 0123456789 {braces} [brackets] ~tilde~ | pipe', 'thee thou thy thine']
    cases = [{'text': t, 'ids': enc.encode(t), 'decoded_skip_special': enc.decode(enc.encode(t))} for t in texts]
    ids_bytes = np.array(sample_ids, dtype='<i4').tobytes()
    doc = {'add_bos': True, 'cases': cases,
           'files': [{'path': 'dataset/sample.txt', 'n_ids': len(sample_ids),
                      'ids_int32le_sha256': hashlib.sha256(ids_bytes).hexdigest()}]}
    with open(os.path.join(out, 'tokenizer/expected.json'), 'w', encoding='utf-8') as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write('\n')


def run_js_check(out):
    """node tools/demo/check_tokenizer.mjs OUT -> its JSON report (transformers.js ids == ours)."""
    try:
        p = subprocess.run(['node', os.path.join(HERE, 'check_tokenizer.mjs'), os.path.abspath(out)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
        rep = json.loads(p.stdout.strip().splitlines()[-1])
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired) as e:
        return {'passed': False, 'error': repr(e)}
    return rep


if __name__ == '__main__':
    main()

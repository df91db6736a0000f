"""Next-token training of the base model and of LoRA adapters on a frozen base (gemma2.py forward)."""
import math
import time

import numpy as np
import torch

from bpe import BOS
from gemma2 import PROJ, forward, module_name, weight_shapes


def batch(stream, rng, B, S):
    """B windows: inputs [BOS] + stream[o : o+S-1], targets stream[o : o+S] (every position predicts)."""
    o = rng.integers(0, len(stream) - S, size=B)
    tgt = np.stack([stream[k:k + S] for k in o])
    inp = np.concatenate([np.full((B, 1), BOS), tgt[:, :-1]], axis=1)
    return torch.from_numpy(inp.astype(np.int64)), torch.from_numpy(tgt.astype(np.int64))


def eval_windows(stream, n, S):
    """n evenly spaced, non-overlapping windows (deterministic) for held-out losses."""
    step = max(S, (len(stream) - S) // n)
    starts = [k * step for k in range(n) if k * step + S <= len(stream)]
    tgt = np.stack([stream[k:k + S] for k in starts])
    inp = np.concatenate([np.full((len(starts), 1), BOS), tgt[:, :-1]], axis=1)
    return torch.from_numpy(inp.astype(np.int64)), torch.from_numpy(tgt.astype(np.int64))


def loss_of(cfg, W, inp, tgt, lora=None):
    _, logits = forward(cfg, W, inp, lora=lora)
    return torch.nn.functional.cross_entropy(logits.reshape(-1, cfg.vocab_size), tgt.reshape(-1))


@torch.no_grad()
def evaluate(cfg, W, windows, lora=None, chunk=32):
    """Mean next-token loss (nats/token) over all positions of the windows."""
    inp, tgt = windows
    total, n = 0.0, 0
    for k in range(0, len(inp), chunk):
        total += float(loss_of(cfg, W, inp[k:k + chunk], tgt[k:k + chunk], lora)) * tgt[k:k + chunk].numel()
        n += tgt[k:k + chunk].numel()
    return total / n


def init_weights(cfg, seed):
    g = torch.Generator().manual_seed(seed)
    W = {}
    for name, shape in weight_shapes(cfg).items():
        # embeddings ~ 1/sqrt(d) so that embed * sqrt(d) has RMS 1 like each block's normalised output
        std = cfg.hidden_size ** -0.5 if name == 'model.embed_tokens.weight' else 0.02
        W[name] = torch.randn(shape, generator=g) * std if len(shape) == 2 else torch.zeros(shape)
    return W


def lr_at(step, steps, peak, warmup, floor):
    if step < warmup:
        return peak * (step + 1) / warmup
    t = (step - warmup) / max(1, steps - warmup)
    return floor + (peak - floor) * 0.5 * (1 + math.cos(math.pi * t))


def train_base(cfg, stream, held, seed, steps, B, S, peak_lr, log_every, log):
    """AdamW (betas 0.9/0.95, wd 0.1 on matrices), warm-up + cosine; returns weights and the loss curve."""
    torch.manual_seed(seed)
    W = {k: torch.nn.Parameter(v) for k, v in init_weights(cfg, seed).items()}
    mats = [p for p in W.values() if p.dim() == 2]
    vecs = [p for p in W.values() if p.dim() == 1]
    opt = torch.optim.AdamW([{'params': mats, 'weight_decay': 0.1}, {'params': vecs, 'weight_decay': 0.0}],
                            lr=peak_lr, betas=(0.9, 0.95))
    rng = np.random.default_rng(seed)
    curve, t0, run = [], time.time(), []
    for step in range(steps):
        for g in opt.param_groups:
            g['lr'] = lr_at(step, steps, peak_lr, 20, peak_lr / 10)
        inp, tgt = batch(stream, rng, B, S)
        loss = loss_of(cfg, W, inp, tgt)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(W.values(), 1.0)
        opt.step()
        run.append(float(loss))
        if (step + 1) % log_every == 0 or step == steps - 1:
            entry = {'step': step + 1, 'train_loss': float(np.mean(run)), 'seconds': round(time.time() - t0, 1)}
            if held is not None and ((step + 1) % (log_every * 5) == 0 or step == steps - 1):
                entry['held_out_loss'] = evaluate(cfg, W, held)
            curve.append(entry)
            log(f'base step {step + 1}/{steps} {entry}')
            run = []
    return {k: v.detach() for k, v in W.items()}, curve


def lora_params(cfg, W, r, seed):
    """A: PEFT's kaiming-uniform (bound 1/sqrt(in)), B = 0; every layer, all seven projections."""
    g = torch.Generator().manual_seed(seed)
    params = {}
    for L in range(cfg.num_hidden_layers):
        for kind in PROJ:
            name = module_name(L, kind)
            out_f, in_f = W[name + '.weight'].shape
            bound = 1 / math.sqrt(in_f)
            A = torch.nn.Parameter((torch.rand((r, in_f), generator=g) * 2 - 1) * bound)
            B = torch.nn.Parameter(torch.zeros((out_f, r)))
            params[name] = (A, B)
    return params


def train_lora(cfg, W, stream, r, alpha, seed, steps, B, S, lr, log_every, log):
    """Base frozen; AdamW on A and B only (wd 0), warm-up + cosine; returns {module: (A, B)} and the curve."""
    torch.manual_seed(seed)
    params = lora_params(cfg, W, r, seed)
    scaling = alpha / r
    opt = torch.optim.AdamW([p for ab in params.values() for p in ab], lr=lr, weight_decay=0.0)
    rng = np.random.default_rng(seed)
    curve, run, t0 = [], [], time.time()
    for step in range(steps):
        for g in opt.param_groups:
            g['lr'] = lr_at(step, steps, lr, 10, lr / 10)
        inp, tgt = batch(stream, rng, B, S)
        lora = {n: (a, b, scaling) for n, (a, b) in params.items()}
        loss = loss_of(cfg, W, inp, tgt, lora)
        opt.zero_grad()
        loss.backward()
        opt.step()
        run.append(float(loss))
        if (step + 1) % log_every == 0 or step == steps - 1:
            curve.append({'step': step + 1, 'train_loss': float(np.mean(run)), 'seconds': round(time.time() - t0, 1)})
            log(f'lora r{r} step {step + 1}/{steps} {curve[-1]}')
            run = []
    return {n: (a.detach(), b.detach()) for n, (a, b) in params.items()}, curve

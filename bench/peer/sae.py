#!/usr/bin/env python3
"""PyTorch peer of the GPU suite's SAE step: a plain TopK sparse autoencoder (float32, Adam), one training step =
encode, keep the top k pre-activations per row, decode, MSE, backward, Adam, on the same GPU and shapes as the suite
(Gemma-2-2B width: d 2304, 16384 latents, batch 4096, k 64).

  python3 bench/peer/sae.py --out peer-sae.json [--d 2304 --m 16384 --batch 4096 --k 64 --rounds 5]
"""
import argparse
import json
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--d', type=int, default=2304)
    ap.add_argument('--m', type=int, default=16384)
    ap.add_argument('--batch', type=int, default=4096)
    ap.add_argument('--k', type=int, default=64)
    ap.add_argument('--rounds', type=int, default=5)
    a = ap.parse_args()
    torch.manual_seed(0)
    dev = 'cuda'
    w_dec = torch.nn.functional.normalize(torch.randn(a.m, a.d, device=dev), dim=1) * 0.1
    params = {
        'W_enc': w_dec.t().clone().requires_grad_(),
        'b_enc': torch.zeros(a.m, device=dev, requires_grad=True),
        'W_dec': w_dec.clone().requires_grad_(),
        'b_dec': torch.zeros(a.d, device=dev, requires_grad=True),
    }
    opt = torch.optim.Adam(params.values(), lr=1e-4)
    x = torch.rand(a.batch, a.d, device=dev) * 2 - 1

    def step():
        pre = (x - params['b_dec']) @ params['W_enc'] + params['b_enc']
        val, idx = pre.topk(a.k, dim=1)
        acts = torch.zeros_like(pre).scatter(1, idx, torch.relu(val))
        xhat = acts @ params['W_dec'] + params['b_dec']
        loss = (xhat - x).pow(2).sum(1).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    step()
    torch.cuda.synchronize()
    best = float('inf')
    for _ in range(a.rounds):
        t0 = time.perf_counter()
        step()
        torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    result = {'peer': f'PyTorch {torch.__version__} (plain TopK SAE, dense decode)', 'device': torch.cuda.get_device_name(0),
              'sae': [{'arch': 'topk', 'd': a.d, 'm': a.m, 'batch': a.batch, 'k': a.k, 's': best, 'tokensPerS': a.batch / best}]}
    with open(a.out, 'w') as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1))


if __name__ == '__main__':
    main()

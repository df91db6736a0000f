"""JumpReLU SAE as in ../shared/fixtures/README.md section 7b (thresholds, L0 penalty, straight-through
pseudo-derivatives with a rectangle kernel, unit-norm decoder rows with gradient projection).

Trained on activations scaled so that E||x||^2 = 1 (Gemma Scope's input normalisation), then folded
back so that params.npz applies to raw resid_post (Gemma Scope layout, no normalisation step):
W_enc, W_dec unchanged; b_enc, b_dec, threshold divided by the scale c.
"""
import numpy as np
import torch


class _JumpReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, pre, theta, eps):
        ctx.save_for_backward(pre, theta)
        ctx.eps = eps
        return pre * (pre > theta)

    @staticmethod
    def backward(ctx, g):
        pre, theta = ctx.saved_tensors
        K = ((pre - theta).abs() <= ctx.eps / 2).to(g.dtype)
        return g * (pre > theta).to(g.dtype), (g * -(theta / ctx.eps) * K).sum(0), None


class _Step(torch.autograd.Function):
    @staticmethod
    def forward(ctx, pre, theta, eps):
        ctx.save_for_backward(pre, theta)
        ctx.eps = eps
        return (pre > theta).to(pre.dtype)

    @staticmethod
    def backward(ctx, g):
        pre, theta = ctx.saved_tensors
        K = ((pre - theta).abs() <= ctx.eps / 2).to(g.dtype)
        return torch.zeros_like(pre), (g * -(1.0 / ctx.eps) * K).sum(0), None


def encode(p, x):
    """Gemma Scope maths on raw inputs: pre = x W_enc + b_enc; acts = pre * (pre > threshold)."""
    pre = x @ p['W_enc'] + p['b_enc']
    return pre * (pre > p['threshold'])


def stats(p, x):
    """fvu, nmse, mean L0, dead count, mean feature density (float64 sums)."""
    acts = encode(p, x)
    recon = acts @ p['W_dec'] + p['b_dec']
    x64, r64 = x.double(), recon.double()
    sse = float(((x64 - r64) ** 2).sum())
    fired = (acts != 0)
    density = fired.double().mean(0)
    return {
        'fvu': sse / float(((x64 - x64.mean(0)) ** 2).sum()),
        'nmse_uncentered': sse / float((x64 ** 2).sum()),
        'mean_l0': float(fired.double().sum(1).mean()),
        'dead': int((density == 0).sum()),
        'mean_density': float(density.mean()),
        'tokens': int(x.shape[0]),
    }


def train_jumprelu(x, m, seed, steps, batch, lr, target_l0, eps, log_every, log):
    """x [n, d] raw activations. The L0 coefficient starts at 1e-3 and is steered multiplicatively
    toward target_l0 during the first 60% of steps, then held fixed."""
    g = torch.Generator().manual_seed(seed)
    n, d = x.shape
    c = float(1 / torch.sqrt((x.double() ** 2).sum(1).mean()))   # E||c x||^2 = 1
    xs = x * c
    W_dec = torch.randn((m, d), generator=g)
    W_dec = W_dec / W_dec.norm(dim=1, keepdim=True)
    P = {
        'W_enc': W_dec.t().clone(), 'b_enc': torch.zeros(m), 'W_dec': W_dec,
        'b_dec': xs.mean(0).clone(), 'log_theta': torch.full((m,), float(np.log(0.01))),
    }
    P = {k: torch.nn.Parameter(v) for k, v in P.items()}
    opt = torch.optim.Adam(P.values(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    lam, curve = 1e-3, []
    order = torch.randint(0, n, (steps, batch), generator=g)
    hist = []
    for t in range(steps):
        xb = xs[order[t]]
        theta = torch.exp(P['log_theta'])
        pre = xb @ P['W_enc'] + P['b_enc']
        f = _JumpReLU.apply(pre, theta, eps)
        H = _Step.apply(pre, theta, eps)
        recon = f @ P['W_dec'] + P['b_dec']
        mse = ((recon - xb) ** 2).sum(1).mean()
        l0 = H.sum(1).mean()
        loss = mse + lam * l0
        opt.zero_grad()
        loss.backward()
        with torch.no_grad():
            u = P['W_dec'] / P['W_dec'].norm(dim=1, keepdim=True)
            P['W_dec'].grad -= (P['W_dec'].grad * u).sum(1, keepdim=True) * u
        opt.step()
        with torch.no_grad():
            P['W_dec'] /= P['W_dec'].norm(dim=1, keepdim=True)
        hist.append((float(mse), float(l0)))
        if t < 0.6 * steps and (t + 1) % 25 == 0:
            cur = np.mean([h[1] for h in hist[-25:]])
            lam *= float(np.clip(cur / target_l0, 0.8, 1.25))
        if (t + 1) % log_every == 0 or t == steps - 1:
            mse_m, l0_m = np.mean(hist, axis=0)
            curve.append({'step': t + 1, 'mse_normalised': float(mse_m), 'l0': float(l0_m), 'l0_coefficient': lam})
            log(f'sae step {t + 1}/{steps} {curve[-1]}')
            hist = []
    with torch.no_grad():
        out = {
            'W_enc': P['W_enc'].detach().clone(), 'W_dec': P['W_dec'].detach().clone(),
            'b_enc': P['b_enc'].detach() / c, 'b_dec': P['b_dec'].detach() / c,
            'threshold': torch.exp(P['log_theta'].detach()) / c,
        }
    return out, curve, {'input_scale': c, 'l0_coefficient_final': lam, 'bandwidth': eps}


def delta_stats(p, base, ft):
    """How much of delta = ft - base the dictionary explains as recon(ft) - recon(base) (b_dec cancels)."""
    delta = (ft - base).double()
    approx = ((encode(p, ft) - encode(p, base)) @ p['W_dec']).double()
    sse = float(((delta - approx) ** 2).sum())
    return {'fvu': sse / float(((delta - delta.mean(0)) ** 2).sum()), 'nmse_uncentered': sse / float((delta ** 2).sum()),
            'tokens': int(delta.shape[0])}

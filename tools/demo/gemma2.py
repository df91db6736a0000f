"""Gemma-2 forward pass in PyTorch, written from ../shared/fixtures/README.md section 1.

Weights are a dict of HF-named tensors (`model.embed_tokens.weight`, `model.layers.N....`).
LoRA adapters are applied unmerged: y = x W^T + scaling * ((x A^T) B^T).
"""
import math
from dataclasses import dataclass

import torch

PROJ = {
    'q_proj': 'self_attn', 'k_proj': 'self_attn', 'v_proj': 'self_attn', 'o_proj': 'self_attn',
    'gate_proj': 'mlp', 'up_proj': 'mlp', 'down_proj': 'mlp',
}


@dataclass
class Config:
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    head_dim: int
    intermediate_size: int
    vocab_size: int
    sliding_window: int
    attn_logit_softcapping: float
    final_logit_softcapping: float
    query_pre_attn_scalar: float
    rms_norm_eps: float
    rope_theta: float
    max_position_embeddings: int

    @staticmethod
    def from_hf(c):
        return Config(**{k: c[k] for k in Config.__dataclass_fields__})

    def to_hf(self):
        """HF Gemma2Config JSON with the fields of the fixtures' config.json."""
        types = ['sliding_attention' if L % 2 == 0 else 'full_attention' for L in range(self.num_hidden_layers)]
        return {
            'architectures': ['Gemma2ForCausalLM'], 'model_type': 'gemma2',
            'attention_bias': False, 'attention_dropout': 0.0,
            'attn_logit_softcapping': self.attn_logit_softcapping, 'bos_token_id': 2,
            'cache_implementation': 'hybrid', 'eos_token_id': 1,
            'final_logit_softcapping': self.final_logit_softcapping, 'head_dim': self.head_dim,
            'hidden_act': 'gelu_pytorch_tanh', 'hidden_activation': 'gelu_pytorch_tanh',
            'hidden_size': self.hidden_size, 'initializer_range': 0.02,
            'intermediate_size': self.intermediate_size, 'layer_types': types,
            'max_position_embeddings': self.max_position_embeddings,
            'num_attention_heads': self.num_attention_heads, 'num_hidden_layers': self.num_hidden_layers,
            'num_key_value_heads': self.num_key_value_heads, 'pad_token_id': 0,
            'query_pre_attn_scalar': self.query_pre_attn_scalar, 'rms_norm_eps': self.rms_norm_eps,
            'rope_theta': self.rope_theta, 'sliding_window': self.sliding_window,
            'tie_word_embeddings': True, 'torch_dtype': 'bfloat16', 'transformers_version': '4.46.0',
            'use_cache': True, 'vocab_size': self.vocab_size,
        }


def weight_shapes(cfg):
    """HF tensor name -> shape ([out, in] for linear weights)."""
    d, hd, f = cfg.hidden_size, cfg.head_dim, cfg.intermediate_size
    q, kv = cfg.num_attention_heads * hd, cfg.num_key_value_heads * hd
    shapes = {'model.embed_tokens.weight': (cfg.vocab_size, d), 'model.norm.weight': (d,)}
    for L in range(cfg.num_hidden_layers):
        p = f'model.layers.{L}.'
        for n in ('input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm',
                  'post_feedforward_layernorm'):
            shapes[p + n + '.weight'] = (d,)
        shapes.update({
            p + 'self_attn.q_proj.weight': (q, d), p + 'self_attn.k_proj.weight': (kv, d),
            p + 'self_attn.v_proj.weight': (kv, d), p + 'self_attn.o_proj.weight': (d, q),
            p + 'mlp.gate_proj.weight': (f, d), p + 'mlp.up_proj.weight': (f, d),
            p + 'mlp.down_proj.weight': (d, f),
        })
    return shapes


def module_name(layer, kind):
    return f'model.layers.{layer}.{PROJ[kind]}.{kind}'


def rms(x, w, eps):
    # eps inside the sqrt; unit offset: the stored w is used as (1 + w)
    return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + eps) * (1 + w)


def gelu_tanh(x):
    # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), fused (HF gelu_pytorch_tanh)
    return torch.nn.functional.gelu(x, approximate='tanh')


def rope_tables(seq, hd, theta, dtype):
    """cos, sin [seq, hd] for the rotate_half convention (pairs i, i + hd/2)."""
    inv = 1.0 / (theta ** (torch.arange(0, hd // 2, dtype=torch.float64) * 2 / hd))
    ang = torch.arange(seq, dtype=torch.float64)[:, None] * inv[None, :]
    ang = torch.cat([ang, ang], dim=-1)
    return ang.cos().to(dtype), ang.sin().to(dtype)


def rotate(x, cos, sin):
    """x [B, heads, S, hd]."""
    h = x.shape[-1] // 2
    rot = torch.cat([-x[..., h:], x[..., :h]], dim=-1)
    return x * cos + rot * sin


def linear(x, W, lora, name):
    """x [..., in] -> [..., out]; lora maps module name -> (A [r, in], B [out, r], scaling)."""
    y = x @ W[name + '.weight'].t()
    if lora is not None and name in lora:
        A, B, s = lora[name]
        y = y + s * ((x @ A.t()) @ B.t())
    return y


def attention(cfg, W, lora, L, h, cos, sin, allowed):
    """h [B, S, d] -> [B, S, d]; allowed [S, S] bool (query i, key j)."""
    B, S, _ = h.shape
    nh, nkv, hd = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
    p = f'model.layers.{L}.self_attn.'
    q = linear(h, W, lora, p + 'q_proj').view(B, S, nh, hd).transpose(1, 2)   # [B, nh, S, hd]
    k = linear(h, W, lora, p + 'k_proj').view(B, S, nkv, hd).transpose(1, 2)  # [B, nkv, S, hd]
    v = linear(h, W, lora, p + 'v_proj').view(B, S, nkv, hd).transpose(1, 2)
    q, k = rotate(q, cos, sin), rotate(k, cos, sin)
    # query head h reads kv head floor(h / (nh / nkv))
    k = k.repeat_interleave(nh // nkv, dim=1)
    v = v.repeat_interleave(nh // nkv, dim=1)
    score = (q @ k.transpose(-1, -2)) * (cfg.query_pre_attn_scalar ** -0.5)   # [B, nh, S, S]
    cap = cfg.attn_logit_softcapping
    score = cap * torch.tanh(score / cap)          # soft-cap before the mask
    score = score.masked_fill(~allowed, float('-inf'))
    o = torch.softmax(score, dim=-1) @ v           # [B, nh, S, hd]
    o = o.transpose(1, 2).reshape(B, S, nh * hd)
    return linear(o, W, lora, p + 'o_proj')


def forward(cfg, W, ids, lora=None, want_logits=True):
    """ids [B, S] int64 -> (resid_post list of [B, S, d] per layer, logits [B, S, V] or None)."""
    S = ids.shape[1]
    d, eps = cfg.hidden_size, cfg.rms_norm_eps
    E = W['model.embed_tokens.weight']
    x = E[ids] * torch.tensor(math.sqrt(d), dtype=E.dtype)
    cos, sin = rope_tables(S, cfg.head_dim, cfg.rope_theta, E.dtype)
    i = torch.arange(S)[:, None]
    j = torch.arange(S)[None, :]
    causal = j <= i
    local = causal & (i - j < cfg.sliding_window)
    resid = []
    for L in range(cfg.num_hidden_layers):
        p = f'model.layers.{L}.'
        allowed = local if L % 2 == 0 else causal
        a = attention(cfg, W, lora, L, rms(x, W[p + 'input_layernorm.weight'], eps), cos, sin, allowed)
        x = x + rms(a, W[p + 'post_attention_layernorm.weight'], eps)
        h = rms(x, W[p + 'pre_feedforward_layernorm.weight'], eps)
        m = linear(gelu_tanh(linear(h, W, lora, p + 'mlp.gate_proj')) * linear(h, W, lora, p + 'mlp.up_proj'),
                   W, lora, p + 'mlp.down_proj')
        x = x + rms(m, W[p + 'post_feedforward_layernorm.weight'], eps)
        resid.append(x)
    if not want_logits:
        return resid, None
    fn = rms(x, W['model.norm.weight'], eps)
    cap = cfg.final_logit_softcapping
    logits = cap * torch.tanh((fn @ E.t()) / cap)
    return resid, logits


def merge_lora(W, lora):
    """PEFT merge: W' = W + scaling * (B @ A)."""
    out = dict(W)
    for name, (A, B, s) in lora.items():
        out[name + '.weight'] = W[name + '.weight'] + s * (B @ A)
    return out

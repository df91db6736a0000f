#!/usr/bin/env python3
"""PyTorch peer of the GPU suite's extraction step (same GPU, same shapes): Hugging Face transformers + PEFT.

Residual streams at two layers for a batch of token ids, base alone and base + 4 LoRA adapters (rank 8 on all seven
projections) in one mixed batch (PEFT's adapter_names), in float32 and float16, hidden states copied to the host as
the suite reads its hooks back. With --model DIR lacking config.json, first writes a seeded Gemma-2-2B-shaped
checkpoint there (bf16, shards under 2 GB) that the suite then loads too, so both run the same weights.

  python3 bench/peer/extract.py --model /tmp/gemma2-2b --out peer-extract.json [--batch 8 --seq 128 --rounds 5]
"""
import argparse
import json
import os
import time

import torch


def gemma2_2b_config():
    from transformers import Gemma2Config
    return Gemma2Config(
        hidden_size=2304, num_hidden_layers=26, num_attention_heads=8, num_key_value_heads=4, head_dim=256,
        intermediate_size=9216, vocab_size=256000, sliding_window=4096, query_pre_attn_scalar=256,
        hidden_activation='gelu_pytorch_tanh', final_logit_softcapping=30.0, attn_logit_softcapping=50.0,
        rms_norm_eps=1e-6, rope_theta=10000.0, max_position_embeddings=8192, tie_word_embeddings=True)


def write_model(path):
    from transformers import Gemma2ForCausalLM
    torch.manual_seed(0)
    with torch.device('cuda'):
        model = Gemma2ForCausalLM(gemma2_2b_config()).to(torch.bfloat16)
    # written beside and renamed, so a run killed mid-write leaves no half checkpoint for the suite to load
    model.save_pretrained(path + '.partial', max_shard_size='1900MB', safe_serialization=True)
    os.rename(path + '.partial', path)
    del model
    torch.cuda.empty_cache()


def timed(fn, rounds):
    fn()
    torch.cuda.synchronize()
    best = float('inf')
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--seq', type=int, default=128)
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--adapters', type=int, default=4)
    a = ap.parse_args()
    import peft
    import transformers
    from peft import LoraConfig, get_peft_model
    from transformers import Gemma2ForCausalLM

    result = {'peer': f'PyTorch {torch.__version__} + transformers {transformers.__version__} + PEFT {peft.__version__}',
              'device': torch.cuda.get_device_name(0), 'extraction': [], 'errors': []}

    def save():
        with open(a.out, 'w') as f:
            json.dump(result, f, indent=1)

    if not os.path.exists(os.path.join(a.model, 'config.json')):
        t0 = time.perf_counter()
        write_model(a.model)
        result['wroteModelS'] = time.perf_counter() - t0
        save()
    tokens = a.batch * a.seq
    ids = torch.tensor([[2 if j == 0 else ((i * a.seq + j) * 7919) % 256000 for j in range(a.seq)] for i in range(a.batch)], device='cuda')
    names = [f'a{i}' for i in range(a.adapters)]
    for label, dtype in (('f32', torch.float32), ('f16', torch.float16)):
        try:
            model = Gemma2ForCausalLM.from_pretrained(a.model, torch_dtype=dtype, attn_implementation='eager').cuda().eval()
            layers = [model.config.num_hidden_layers // 2, model.config.num_hidden_layers - 1]
            cfg = LoraConfig(r=8, lora_alpha=16, target_modules=['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], init_lora_weights=False)
            model = get_peft_model(model, cfg, adapter_name=names[0])
            for n in names[1:]:
                model.add_adapter(n, cfg)
            model = model.to(dtype).eval()

            def run(batch_ids, adapter_names=None):
                kw = {'output_hidden_states': True}
                if adapter_names is not None:
                    kw['adapter_names'] = adapter_names
                with torch.no_grad():
                    try:
                        out = model(input_ids=batch_ids, logits_to_keep=1, **kw)
                    except TypeError:
                        out = model(input_ids=batch_ids, num_logits_to_keep=1, **kw)
                # hidden_states[0] is the embedding output: resid_post of layer l is hidden_states[l + 1]
                return [out.hidden_states[l + 1].float().cpu() for l in layers]

            def base():
                with model.disable_adapter():
                    run(ids)

            all_ids = ids.repeat(a.adapters + 1, 1)
            mixed = ['__base__'] * a.batch + [n for n in names for _ in range(a.batch)]
            s = timed(base, a.rounds)
            result['extraction'].append({'dtype': label, 'streams': 1, 'tokens': tokens, 's': s, 'tokensPerS': tokens / s})
            save()
            s = timed(lambda: run(all_ids, mixed), a.rounds)
            result['extraction'].append({'dtype': label, 'streams': a.adapters + 1, 'tokens': tokens, 's': s, 'tokensPerS': tokens / s, 'how': 'one mixed batch (adapter_names)'})
            save()
            del model
            torch.cuda.empty_cache()
        except Exception as e:  # record and go on: a killed or failed dtype keeps the others
            result['errors'].append(f'{label}: {type(e).__name__}: {e}')
            save()
    save()
    print(json.dumps(result, indent=1))


if __name__ == '__main__':
    main()

"""Teacher calibration: which training knob makes the toy teacher follow the prompt?

Usage: OMP_NUM_THREADS=1 python experiments/teacher_calibration.py NAME STEPS BATCH EMBED_STD [LR] [T_SHIFT]
                                   [--text-layers L] [--t5] [--seed S]

Trains the 'toy' teacher on the versioned training prompts (one process, one thread) with the given
token-embedding scale (`embed_std`; CLIP's own init is 0.02), learning rate, logit-normal shift and
text encoder (`--text-layers` CLIP layers; `--t5`: a 2-layer bidirectional T5EncoderModel,
mean-pooled, instead of CLIP), then prints verifier accuracy on the evaluation prompts at 3 and 50
NFE for guidance 1 and 2, overall, by prompt kind (specified / open) and by kind and object count
(spec1, spec2, open1, open2), and writes them to experiments/results/teacher_NAME.json.

Runs of 2026-11-27 (two side by side on the 2-core machine, ~12 min each), recorded in
nbs/toy/11_models.ipynb; the 'toy' config had 2 text layers until run G:
  A = 2400 32 1.0;  B = 1200 64 1.0;  C = 2400 32 1.0 2e-3;  D = 2400 32 1.0 1e-3 0.7
  E = 2400 32 1.0 1e-3 0.7 --text-layers 2 (D's recipe, the package's initialisation order)
  F = 2400 32 1.0 1e-3 0.7 --t5;  G = 2400 32 1.0 1e-3 0.7 --text-layers 4;  H = G with --seed 1
A-E printed only the guidance rows without the per-count columns (an earlier version of this script).
"""
import argparse, collections, json, time
from pathlib import Path
import torch
import rats.toy.models as tm
from rats.toy.world import Scene
from rats.toy.grammar import load_jsonl
from rats.toy.verifier import verify_batch


def use_t5(cfg):
    "Swap the teacher's text encoder for a tiny bidirectional T5 encoder (mean-pooled) in this process."
    from transformers import T5Config, T5EncoderModel
    build = tm.build_teacher
    def build_t5(cfg, seed=0):
        m = build(cfg, seed)
        tok = m.tokenizer
        torch.manual_seed(seed + 1)
        m.text_encoder = T5EncoderModel(T5Config(vocab_size=len(tok), d_model=64, d_kv=16, d_ff=128, num_layers=2, num_heads=4,
            relative_attention_num_buckets=8, relative_attention_max_distance=16, dropout_rate=0.0, feed_forward_proj="gated-gelu",
            pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id, decoder_start_token_id=tok.pad_token_id))
        return m
    def encode(models, prompts):
        tok = models.tokenizer
        ids = tok(list(prompts), padding="max_length", max_length=tok.model_max_length, truncation=True, return_tensors="pt")
        h = models.text_encoder(input_ids=ids.input_ids, attention_mask=ids.attention_mask).last_hidden_state
        m = ids.attention_mask.unsqueeze(-1).to(h.dtype)
        return {"encoder_hidden_states": h, "class_labels": (h * m).sum(1) / m.sum(1)}
    tm.build_teacher, tm.encode_prompts = build_t5, encode


def accuracy_rows(models, records, nfes=(3, 50), guidances=(1.0, 2.0), seed=0):
    rows, prompts = [], [r["prompt"] for r in records]
    for g in guidances:
        for K in nfes:
            res = verify_batch(tm.sample(models, prompts, K, g, seed), [r["scene"] for r in records])
            c = collections.Counter()
            for r, v in zip(records, res):
                kind = "spec" if r["specified"] else "open"
                for key in ("all", kind, kind + str(len(Scene.from_dict(r["scene"]).objects))):
                    c[key] += 1; c[key + "_ok"] += v["ok"]
            rows.append(dict(nfe=K, guidance=g, **{k: round(c[k + "_ok"] / c[k], 3)
                                                   for k in ("all", "spec", "open", "spec1", "spec2", "open1", "open2") if c[k]}))
    return rows


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("name"); p.add_argument("steps", type=int); p.add_argument("batch", type=int); p.add_argument("embed_std", type=float)
    p.add_argument("lr", type=float, nargs="?", default=1e-3); p.add_argument("t_shift", type=float, nargs="?", default=0.0)
    p.add_argument("--text-layers", type=int); p.add_argument("--t5", action="store_true"); p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(1)
    root = Path(__file__).resolve().parents[1]
    train, evals = load_jsonl(root / "data/prompts/train.jsonl"), load_jsonl(root / "data/prompts/eval.jsonl")
    cfg = {**tm.teacher_config("toy"), "embed_std": a.embed_std}
    if a.text_layers: cfg["text"]["num_hidden_layers"] = a.text_layers
    if a.t5: use_t5(cfg)
    t0 = time.perf_counter()
    models = tm.train_teacher(cfg, train, a.steps, batch=a.batch, lr=a.lr, seed=a.seed, t_shift=a.t_shift)
    train_s = time.perf_counter() - t0
    rows = accuracy_rows(models, evals)
    for r in rows: print(a.name, r, flush=True)
    out = root / "experiments" / "results" / f"teacher_{a.name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(steps=a.steps, batch=a.batch, embed_std=a.embed_std, lr=a.lr, t_shift=a.t_shift, seed=a.seed,
                                   text="t5" if a.t5 else f"clip{cfg['text']['num_hidden_layers']}", train_s=train_s, rows=rows), indent=1))

"""Is there a few-step gap for a student to win back, and does the video training reward see it? (issue 20)

Usage: python experiments/video_precondition.py NAME [--repeats 2] [--guidance 4] [--nfe 3 5 8 50] [--threads 2]

Loads the teacher `experiments/video_teacher.py NAME` saved (checkpoints/experiments/video_teacher_NAME), samples the
200 evaluation prompts `repeats` times at each NFE from the same noises (paired), and judges every clip with the video
checker. Trains the video feature network (`rats.toy.video_rewards`, 800 steps at width 32, seed 21; cached in
checkpoints/experiments/video_feature_net) and scores every clip with `VideoSpecReward`. Reports, with 95% intervals
(paired bootstrap over prompts, `rats.core.stats.paired_bootstrap`):
- per NFE: the checker's total, ok and dimensions, overall and on open / specified prompts; the reward's mean;
- the precondition: total at 50 NFE minus total at 3 NFE on open prompts (bar: the interval's lower end >= 0.15);
- the reward against the checker on the 3- and 50-step clips: within-prompt AUC for `ok`, the share of (same prompt and
  noise) pairs with different verdicts it orders as the checker does, and its paired effect (50 minus 3, mean over sd)
  beside the checker's own.
Writes experiments/results/video_precondition_NAME.json and experiments/results/video_precondition_NAME.png (clips of
six open prompts, each a row of 8 frames, 3 NFE above 50 NFE).
"""
import argparse, json, time
from pathlib import Path
import numpy as np
import torch

def main():
    p = argparse.ArgumentParser()
    p.add_argument("name"); p.add_argument("--repeats", type=int, default=2); p.add_argument("--guidance", type=float, default=4.0)
    p.add_argument("--nfe", type=int, nargs="+", default=[3, 5, 8, 50]); p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    from rats.core.stats import paired_bootstrap, fmt_ci
    from rats.toy.video_pipeline import precondition, reward_vs_checker
    from rats.toy.video_world import make_video_prompt_sets
    from rats.toy.video_models import load_video_teacher, sample_video, video_adapter
    from rats.toy.video_checker import check_clips, DIMENSIONS
    from rats.toy.video_rewards import (train_video_feature_net, evaluate_video_feature_net, save_video_feature_net,
                                        load_video_feature_net, VideoSpecReward, to_video)
    pipe = load_video_teacher(f"checkpoints/experiments/video_teacher_{a.name}")
    _, evals = make_video_prompt_sets(0)
    recs = [r for _ in range(a.repeats) for r in evals]
    prompts, scenes = [r["prompt"] for r in recs], [r["scene"] for r in recs]
    pid = np.array([i for _ in range(a.repeats) for i in range(len(evals))])
    spec = np.array([r["specified"] for r in recs])
    noise = video_adapter(pipe).noise(len(recs), torch.Generator().manual_seed(1))
    fn_path = Path("checkpoints/experiments/video_feature_net")
    if (fn_path / "config.json").exists(): net = load_video_feature_net(fn_path)
    else:
        net = train_video_feature_net(800, 64, seed=21, width=32)
        save_video_feature_net(net, fn_path, **evaluate_video_feature_net(net))
    feat_acc = evaluate_video_feature_net(net)
    R = VideoSpecReward(net)
    res, clips_at = {}, {}
    for K in a.nfe:
        t = time.perf_counter()
        clips = sample_video(pipe, prompts, K, a.guidance, noise=noise)
        checks = check_clips(clips, scenes)
        with torch.no_grad(): r = torch.cat([R(to_video(clips[i:i + 256]), prompts[i:i + 256]) for i in range(0, len(clips), 256)]).numpy()
        res[K] = dict(r=r, total=np.array([c["total"] for c in checks]), ok=np.array([float(c["ok"]) for c in checks]),
                      **{d: np.array([c[d] for c in checks]) for d in DIMENSIONS}, sample_s=time.perf_counter() - t)
        clips_at[K] = clips
        print(f"NFE {K}: total {res[K]['total'].mean():.3f}, ok {res[K]['ok'].mean():.3f}, open total {res[K]['total'][~spec].mean():.3f}, "
              f"reward {r.mean():.2f} ({res[K]['sample_s']:.0f} s)", flush=True)
    def boot(key, mask):
        data = {K: dict(y=res[K][key][mask], prompt=pid[mask], seed=np.zeros(mask.sum(), int)) for K in a.nfe}
        pairs = [(50, K) for K in a.nfe if K != 50] if 50 in a.nfe else []
        b = paired_bootstrap(data, pairs, seed=0)
        return {str(K): v for K, v in b["models"].items()}, {f"{x}-{y}": v for (x, y), v in b["diffs"].items()}
    out = dict(args=vars(a), n=len(recs), feature_net=feat_acc, rows={}, diffs={})
    for kind, m in (("all", np.ones(len(recs), bool)), ("open", ~spec), ("specified", spec)):
        for key in ("total", "ok", *DIMENSIONS, "r"):
            models, diffs = boot(key, m)
            out["rows"][f"{key}_{kind}"] = models; out["diffs"][f"{key}_{kind}"] = diffs
    if 3 in res and 50 in res:         # the pipeline's own definitions (rats.toy.video_pipeline), on these clips
        rows = {K: [dict(total=t, ok=o, r_train=r) for t, o, r in zip(res[K]["total"], res[K]["ok"], res[K]["r"])] for K in (3, 50)}
        out["precondition"] = precondition(rows[50], rows[3], pid, ~spec, bar=0.15)
        out["reward_vs_checker"] = reward_vs_checker(rows[50], rows[3], pid)
        print(out["reward_vs_checker"])
    if "precondition" in out:
        pc = out["precondition"]
        print(f"precondition (open prompts, total at 50 minus 3 NFE): {fmt_ci(pc['gap'], pc['lo'], pc['hi'], sign=True)}; holds: {pc['holds']}")
    res_dir = Path("experiments/results"); res_dir.mkdir(parents=True, exist_ok=True)
    (res_dir / f"video_precondition_{a.name}.json").write_text(json.dumps(out, indent=1, default=float))
    if 3 in clips_at and 50 in clips_at:
        from PIL import Image
        idx = np.flatnonzero(~spec)[:6]
        rows = [np.concatenate(list(clips_at[K][i]), 1) for i in idx for K in (3, 50)]
        img = (np.clip(np.concatenate(rows, 0), 0, 1) * 255).astype(np.uint8)
        Image.fromarray(img).resize((img.shape[1] * 2, img.shape[0] * 2), Image.NEAREST).save(res_dir / f"video_precondition_{a.name}.png")

if __name__ == "__main__":
    main()

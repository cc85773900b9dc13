"""Cost of a video student's training step (issue 20): the RATS objective through the Wan adapter, per method and NFE.

For the toy video teacher (`rats.toy.video_models`, config given as JSON overrides of `toy`), times one optimiser step
(`rats.core.step.train_step`, the teacher's targets precomputed as a cached pool gives them) at batch 8, for `distill`
(no reward), `reward`, `mix` and `rats` at K = 3, 5, 8 of N = 50, with `VideoSpecReward` (`rats.toy.video_rewards`,
width 32) on the decoded clips; also the teacher's targets per pair (its guided 50-step rollout, decode and reward), the
once-per-run cost a pool pays. Prints a markdown table and each method's ratio to `distill` at the same K (the issue's
bar: the reward's share at most 1.3x). Run: `OMP_NUM_THREADS=1 .venv/bin/python benchmarks/video_student_costs.py
['{"patch_size": [2, 2, 2]}']`. Ratios are only meaningful within one run."""
import json, sys, time
import torch
import rats.toy.video_models as VM
from rats.core.step import train_step
from rats.toy.video_rewards import VideoFeatureNet, VideoSpecReward
from rats.toy.video_students import video_student
from rats.toy.video_world import make_video_prompt_sets

torch.set_num_threads(1)
B, REPS = 8, 3
over = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
base = VM.VIDEO_TEACHER_CONFIGS["toy"]
cfg = dict(base, transformer={**base["transformer"], **{k: tuple(v) if isinstance(v, list) else v for k, v in over.items()}})
pipe = VM.build_video_pipeline(cfg); ad = VM.video_adapter(pipe)
R = VideoSpecReward(VideoFeatureNet(width=32))
prompts = [r["prompt"] for r in make_video_prompt_sets(0)[0][:B]]
cond = ad.encode_prompt(prompts, negative="")
noise = ad.noise(B, torch.Generator().manual_seed(0))
tv = ad.guided_velocity_fn(4.0)

def timed(fn, reps=REPS):
    fn(); t = time.perf_counter()
    for _ in range(reps): fn()
    return (time.perf_counter() - t) / reps

print(f"| K | teacher targets per pair (s) | " + " | ".join(f"{m} step (s)" for m in ("distill", "reward", "mix", "rats")) + " | reward/distill | rats/distill |")
print("|---|---|---|---|---|---|---|---|")
for K in (3, 5, 8):
    row, tout = {}, None
    for m in ("distill", "reward", "mix", "rats"):
        loss = ad.rats_loss(ad.rats_config(m, K=K, N=50, gate_normalize=True), teacher_velocity_fn=tv)
        student, teacher = video_student(pipe)
        opt = torch.optim.AdamW(student.parameters(), 2e-4)
        with torch.no_grad():
            t0 = time.perf_counter(); tout = loss.teacher_out(teacher, noise, cond, ad.decode, R, prompts); t_teacher = (time.perf_counter() - t0) / B
        row[m] = timed(lambda: train_step(loss, student, teacher, opt, noise, cond, ad.decode, R, prompts, teacher_out=tout))
    print(f"| {K} | {t_teacher:.3f} | " + " | ".join(f"{row[m]:.3f}" for m in row) + f" | {row['reward'] / row['distill']:.2f} | {row['rats'] / row['distill']:.2f} |", flush=True)

"""Can reward-only training hack the training reward if it is pushed further than the pipeline pushes it?

The pipeline's `reward` run (200 steps at lr 2e-4) raised `r_train` without lowering the verifier's accuracy; it collapsed
diversity instead (reports/results.md). Here `reward` students train on the pipeline's teacher cache against
`models/rewards/r_train` for longer, at the pipeline's learning rate and at 5x it, two arms side by side; every `EVERY`
steps each is sampled at 3 NFE on `N_EVAL` paired evaluation samples (the pipeline's noise seed) and scored by the
verifier, the training reward and the Fréchet distance to real renderings.
Usage (after `make repro`, from the repository root): `.venv/bin/python experiments/reward_hacking.py [STEPS] [EVERY] [N_EVAL]`.
Writes experiments/results/reward_hacking.json and prints a markdown table.
"""
import json, sys
from pathlib import Path
import yaml
from rats.core.runs import run_jobs

def arm(job: dict) -> list:
    import numpy as np, torch
    torch.set_num_threads(1)
    from rats.toy.models import load_teacher
    from rats.toy.rewards import load_reward, prompt_vectors
    from rats.toy.train import train_toy_student
    from rats.toy.samples import paired_noise, sample_from
    from rats.toy.grammar import load_jsonl
    from rats.toy.verifier import verify_batch
    from rats.toy.metrics import load_feature_net, image_features, frechet_distance
    from rats.toy.world import to_model, render_batch, Scene
    P = yaml.safe_load(open("params.yaml")); s = P["students"]
    models, reward = load_teacher("models/teacher"), load_reward("models/rewards/r_train", bound=s["reward_bound"])
    cache = torch.load("checkpoints/students/teacher_cache.pt", weights_only=False)["cache"]
    evals = load_jsonl("data/prompts/eval.jsonl"); R = max(1, job["n_eval"] // len(evals)); n = len(evals) * R
    prompts, scenes = [evals[i // R]["prompt"] for i in range(n)], [evals[i // R]["scene"] for i in range(n)]
    noise = paired_noise(n, P["seed"] + 4242)
    net = load_feature_net("models/feature_net")
    ref = image_features(net, render_batch([Scene.from_dict(x).spec() for x in scenes], P["seed"] + 999))
    rows = []
    def measure(unet, step):
        imgs = sample_from(models, unet, prompts, noise, 3, 1.0 if step else P["teacher"]["guidance"])
        ok = np.array([v["ok"] for v in verify_batch(imgs, scenes)])
        with torch.no_grad(): r = reward(to_model(imgs), prompt_vectors(prompts))
        rows.append(dict(arm=job["name"], lr=job["lr"], step=step, n=n, acc=float(ok.mean()), r_train=float(r.mean()),
                         fd=frechet_distance(image_features(net, imgs), ref)))
        print(rows[-1], flush=True)
    measure(models.unet, 0)           # step 0: the teacher itself at 3 NFE (with its guidance)
    Path("experiments/out_hack").mkdir(parents=True, exist_ok=True)
    for step in range(job["every"], job["steps"] + 1, job["every"]):      # resumes from the previous checkpoint each time
        student, _ = train_toy_student("reward", models, reward, [], cache=cache, steps=step, batch=s["batch"], lr=job["lr"], seed=P["seed"],
                                       alpha=s["alpha"], teacher_guidance=P["teacher"]["guidance"], N=s["N"], tau=s["tau"],
                                       gate_normalize=s["gate_normalize"], ckpt_path=f"experiments/out_hack/{job['name']}.pt",
                                       ckpt_every=job["every"], progress=False)
        measure(student, step)
    return rows

if __name__ == "__main__":
    steps, every, n_eval = (int(a) for a in (sys.argv[1:] + ["800", "200", "400"][len(sys.argv) - 1:]))
    lr = yaml.safe_load(open("params.yaml"))["students"]["lr"]
    import reward_hacking as me          # the workers import `arm` from this module by name (a script's `__main__` is not importable)
    jobs = [dict(name=f"lr{a:g}", lr=a, steps=steps, every=every, n_eval=n_eval) for a in (lr, 5 * lr)]
    rows = [r for rs in run_jobs(me.arm, jobs, workers=2).values() for r in rs]
    Path("experiments/results").mkdir(parents=True, exist_ok=True)
    Path("experiments/results/reward_hacking.json").write_text(json.dumps(rows, indent=1))
    print("| arm | step | verifier acc (3 NFE) | r_train | FD |\n|---|---|---|---|---|")
    for r in rows: print(f"| {r['arm']} | {r['step']} | {r['acc']:.3f} | {r['r_train']:.3f} | {r['fd']:.1f} |")

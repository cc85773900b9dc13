"""The instrument designs tried for the reward models, side by side (issue: make the training reward hard to hack).

Each row is one `instruments` stage run of the full profile (the commit that produced it in brackets):
- no pairs: Bradley-Terry on real renderings against corruptions, blur, noise, the 1/3-step pool and,
  for r_train, adversarial negatives (7c57a78; `experiments/results/instruments_no_pairs.json`);
- pairs 1/3/8 NFE: plus verifier-labelled pairs of two generated images of one prompt, 1-, 3- and
  8-step samples paired freely (0bfd0f0; `instruments_pairs_nfe138.json`; its `verifier_auc_within`
  used 3- and 8-step samples);
- pairs same NFE: pairs only inside one NFE, 4 samples per prompt at 3 and 8 NFE (bebbf79;
  `instruments_same_nfe_pairs.json`, before `verifier_auc_within` existed);
- pipeline: the committed `metrics/instruments.json` (pairs from the pool's 1/3-step samples).

Run: `python experiments/instruments_tries.py` (prints a markdown table).
"""
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRIES = {"no pairs": "experiments/results/instruments_no_pairs.json",
         "pairs 1/3/8 NFE": "experiments/results/instruments_pairs_nfe138.json",
         "pairs same NFE": "experiments/results/instruments_same_nfe_pairs.json",
         "pipeline": "metrics/instruments.json"}
COLS = ("adversarial", "verified_unseen", "verifier_auc", "verifier_auc_within")

def main():
    print("| design | reward | " + " | ".join(COLS) + " |")
    print("|---|---|" + "---|" * len(COLS))
    for design, path in TRIES.items():
        d = json.loads((ROOT / path).read_text())
        for r in ("r_train", "r_dual", "r_lowpass"):
            v = [d[r].get(c) for c in COLS]
            print(f"| {design} | {r} | " + " | ".join("–" if x is None else f"{x:.3f}" for x in v) + " |")

if __name__ == "__main__":
    main()

"""Write the versioned raw inputs: the toy world's training and evaluation prompt sets.

Run once (then `dvc add data && dvc push`); the pipeline reads data/prompts/*.jsonl and
never regenerates them, so results stay comparable across changes to the code."""
import sys
from pathlib import Path
from rats.toy.grammar import make_prompt_sets, save_jsonl

out = Path(sys.argv[1] if len(sys.argv) > 1 else "data/prompts")
out.mkdir(parents=True, exist_ok=True)
train, evl = make_prompt_sets(seed=0)
save_jsonl(train, out / "train.jsonl"); save_jsonl(evl, out / "eval.jsonl")
print(f"{len(train)} training and {len(evl)} evaluation prompts in {out}")

"Bad inputs a user met: each stops with one line naming the file (and key or line) and the problem, before any work is done or deleted."
import json, shutil, warnings
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def repo(tmp_path, monkeypatch):
    "A working copy of what the check reads (params.yaml and data/prompts), as the current directory."
    if not (ROOT / "data" / "prompts" / "eval.jsonl").exists():   # a fresh clone: the prompt sets from the repository's own DVC remote
        import subprocess, sys
        subprocess.run([str(Path(sys.executable).parent / "dvc"), "pull", "-q", "data.dvc"], cwd=ROOT, check=True,
                       env={**__import__("os").environ, "DVC_NO_ANALYTICS": "1"})
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    shutil.copytree(ROOT / "data" / "prompts", tmp_path / "data" / "prompts")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def edit(path, old, new):
    p = Path(path); text = p.read_text()
    assert old in text, old
    p.write_text(text.replace(old, new, 1))


def message(capsys, *files):
    "What `python -m rats.toy.params FILES` prints: its exit code and its stderr, which must be one line."
    from rats.toy.params import main
    rc = main(list(files) or ["params.yaml"])
    err = capsys.readouterr().err
    assert err.count("\n") <= 1, err
    return rc, err.strip()


# 1. numbers as DVC (YAML 1.2) reads them
@pytest.mark.parametrize("spelling,value", [("3e-5", 3e-5), ("1E-3", 1e-3), (".5", 0.5), ("2.5e+1", 25.0)])
def test_yaml12_floats_are_numbers(repo, capsys, spelling, value):
    from rats.toy.params import check
    edit("params.yaml", "  lr: 2.0e-04", f"  lr: {spelling}")
    assert check("params.yaml")["students.lr"] == value
    assert message(capsys) == (0, "")


# 2. a float knob must be finite
@pytest.mark.parametrize("old,new,msg", [
    ("  lr: 2.0e-04", "  lr: .inf", "params.yaml: students.lr: must be finite, got inf"),
    ("  t_shift: 0.7", "  t_shift: .nan", "params.yaml: teacher.t_shift: must be finite, got nan"),
    ("  tau: 1.0 ", "  tau: .inf ", "params.yaml: students.tau: must be finite, got inf"),
    ("  guidance: 4.0 ", "  guidance: .inf ", "params.yaml: teacher.guidance: must be finite, got inf"),
    ("alpha: {3: 2.0,", "alpha: {3: .inf,", "params.yaml: students.alpha.3: must be finite, got inf"),
    ("  reward_lr: 0.001", "  reward_lr: -.inf", "params.yaml: instruments.reward_lr: must be finite, got -inf"),
])
def test_nonfinite_floats(repo, capsys, old, new, msg):
    edit("params.yaml", old, new)
    assert message(capsys) == (1, msg)


def test_real_schema_rejects_nonfinite():
    "rats.real.pipeline checks its profiles with the same check_schema."
    import yaml
    from rats.core.params import ParamsError
    from rats.real.pipeline import validate_real
    p = yaml.safe_load((ROOT / "real" / "params.yaml").read_text()); p["train"]["lr"] = float("inf")
    with pytest.raises(ParamsError) as e: validate_real(p, name="real/params.yaml")
    assert str(e.value) == "real/params.yaml: train.lr: must be finite, got inf"
    p = yaml.safe_load((ROOT / "real" / "params.yaml").read_text()); p["train"]["alpha"][3] = float("inf")
    with pytest.raises(ParamsError) as e: validate_real(p, name="real/params.yaml")
    assert str(e.value) == "real/params.yaml: train.alpha.3: must be a finite number >= 0, got inf"

def test_real_profile_reads_yaml12_numbers(tmp_path):
    "A real profile is read as DVC reads it: `lr: 3e-5` is a number."
    from rats.real.pipeline import check_real
    text = (ROOT / "real" / "profiles" / "flux-tiny.yaml").read_text()
    import re
    f = tmp_path / "p.yaml"; f.write_text(re.sub(r"(?m)^(\s+lr:) \S+", r"\1 3e-5", text, count=1))
    assert check_real(f, inputs=False)["train"]["lr"] == 3e-5


# 3. ranges that depend on other values
@pytest.mark.parametrize("old,new,msg", [
    ("  prompts: 0 ", "  prompts: 100000 ",
     "params.yaml: evaluate.prompts: must be <= 200, the number of prompts in data/prompts/eval.jsonl (0: all of them), got 100000"),
    ("  cache_size: 384", "  cache_size: 1",
     "params.yaml: students.cache_size: must be >= students.batch (16): each step draws its batch from the cached (noise, prompt) pairs, got 1"),
    ("  batch: 16\n", "  batch: 500\n",
     "params.yaml: students.cache_size: must be >= students.batch (500): each step draws its batch from the cached (noise, prompt) pairs, got 384"),
    ("  pool_prompts: 512", "  pool_prompts: 5000",
     "params.yaml: instruments.pool_prompts: must be <= 4096, the number of prompts in data/prompts/train.jsonl, got 5000"),
    ("  n_samples_saved: 16 ", "  n_samples_saved: 3000 ",
     "params.yaml: evaluate.n_samples_saved: must be <= 2000, the samples each model makes (evaluate.prompts x evaluate.repeats), got 3000"),
    ("  blur_strong: 1.0", "  blur_strong: 0.5", "params.yaml: world.blur_strong: must be >= world.blur_mild (0.7), got 0.5"),
])
def test_dependent_ranges(repo, capsys, old, new, msg):
    edit("params.yaml", old, new)
    assert message(capsys) == (1, msg)


# 4. an unknown section
def test_unknown_section(repo, capsys):
    edit("params.yaml", "students:\n", "studnets:\n")
    assert message(capsys) == (1, "params.yaml: studnets: unknown section (known: seed, world, teacher, instruments, students, evaluate, report)")


# 5. a YAML syntax error names its line and column
def test_yaml_syntax_error(repo, capsys):
    edit("params.yaml", "  batch: 16\n", "  batch: 16\n   steps: 3\n")
    line = next(i for i, l in enumerate(Path("params.yaml").read_text().splitlines(), 1) if l == "   steps: 3")
    assert message(capsys) == (1, f"params.yaml: not valid YAML (line {line}, column 9: mapping values are not allowed here)")


# 6. prompt files, checked when read (by the check and by every stage)
def _lines(name): return Path("data/prompts", name).read_text().splitlines(keepends=True)

def _write(name, lines): Path("data/prompts", name).write_text("".join(lines))

def test_empty_prompt_file(repo, capsys):
    _write("eval.jsonl", [])
    assert message(capsys) == (1, "data/prompts/eval.jsonl: no prompts")

def test_truncated_prompt_line(repo, capsys):
    ls = _lines("eval.jsonl"); cut = ls[16].index('"seed": ') + len('"seed": '); ls[16] = ls[16][:cut] + "\n"   # a line cut short
    _write("eval.jsonl", ls)
    assert message(capsys) == (1, f"data/prompts/eval.jsonl:17: not valid JSON (Expecting value: column {cut + 1})")

def test_missing_field(repo, capsys):
    ls = _lines("train.jsonl"); r = json.loads(ls[2]); del r["prompt"]; ls[2] = json.dumps(r) + "\n"
    _write("train.jsonl", ls)
    assert message(capsys) == (1, "data/prompts/train.jsonl:3: missing 'prompt' (a prompt record has held_out, prompt, scene, seed, specified)")

def test_word_outside_the_grammar(repo, capsys):
    ls = _lines("train.jsonl"); r = json.loads(ls[4])
    r["prompt"] = r["prompt"].replace(next(w for w in ("red", "green", "blue", "yellow", "crimson", "emerald", "azure", "golden")
                                           if f" {w} " in f" {r['prompt']} "), "purple", 1)
    ls[4] = json.dumps(r) + "\n"; _write("train.jsonl", ls)
    assert message(capsys) == (1, "data/prompts/train.jsonl:5: 'purple' is not a word of the toy world's grammar")

def test_prompt_outside_the_grammar(repo, capsys):
    ls = _lines("eval.jsonl"); r = json.loads(ls[0]); r["prompt"] = "a red circle red"; ls[0] = json.dumps(r) + "\n"
    _write("eval.jsonl", ls)
    assert message(capsys) == (1, "data/prompts/eval.jsonl:1: 'a red circle red' is not a prompt of the toy world's grammar")

def test_stage_reads_the_same_check(repo):
    "A stage's own read of a prompt file raises the same one line (rats.toy.grammar.InputError)."
    from rats.toy.grammar import InputError, load_jsonl
    _write("eval.jsonl", [])
    with pytest.raises(InputError) as e: load_jsonl("data/prompts/eval.jsonl")
    assert str(e.value) == "data/prompts/eval.jsonl: no prompts"


# 7. damaged checkpoints and saved models
def test_truncated_checkpoint_starts_over(tmp_path):
    import torch
    from rats.core.runs import load_checkpoint, load_or_build, save_checkpoint
    p = tmp_path / "checkpoints" / "students" / "rats.pt"
    save_checkpoint(p, dict(meta={"a": 1}, step=7, w=torch.zeros(4096)))
    p.write_bytes(p.read_bytes()[:3000])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert load_checkpoint(p, {"a": 1}) is None
        assert load_or_build(p, {"a": 1}, lambda: 42) == 42          # a damaged cache is rebuilt ...
    assert [str(x.message) for x in w] == [f"{p}: cannot be read (truncated?): ignored, the run starts over"] * 2
    assert load_checkpoint(p, {"a": 1})["cache"] == 42               # ... and saved over the damaged file


def _cut(f: Path, keep: int = 4000): f.write_bytes(f.read_bytes()[:keep])


@pytest.fixture(scope="module")
def teacher_dir(tmp_path_factory):
    from rats.toy.models import build_teacher, save_teacher
    return save_teacher(build_teacher("tiny", 0), tmp_path_factory.mktemp("m") / "teacher")


def test_truncated_teacher(teacher_dir, tmp_path, monkeypatch):
    from rats.toy.grammar import InputError
    from rats.toy.models import load_teacher
    shutil.copytree(teacher_dir, tmp_path / "models" / "teacher"); monkeypatch.chdir(tmp_path)
    _cut(Path("models/teacher/unet/diffusion_pytorch_model.safetensors"))
    with pytest.raises(InputError) as e: load_teacher("models/teacher")
    assert str(e.value) == "models/teacher/unet/diffusion_pytorch_model.safetensors: cannot be read (truncated?): delete models/teacher and rerun `dvc repro`"


def test_truncated_tokenizer(teacher_dir, tmp_path, monkeypatch):
    from rats.toy.grammar import InputError
    from rats.toy.models import load_teacher
    shutil.copytree(teacher_dir, tmp_path / "models" / "teacher"); monkeypatch.chdir(tmp_path)
    _cut(Path("models/teacher/tokenizer/tokenizer.json"), 100)
    with pytest.raises(InputError) as e: load_teacher("models/teacher")
    assert str(e.value) == "models/teacher/tokenizer/tokenizer.json: cannot be read (truncated?): delete models/teacher and rerun `dvc repro`"


def test_truncated_student(teacher_dir, tmp_path, monkeypatch):
    "eval_job (the evaluate stage's worker) reads each student: a damaged one names its file."
    from rats.toy.grammar import InputError
    from rats.toy.train import eval_job
    shutil.copytree(teacher_dir / "unet", tmp_path / "models" / "students" / "rats"); monkeypatch.chdir(tmp_path)
    _cut(Path("models/students/rats/diffusion_pytorch_model.safetensors"))
    with pytest.raises(InputError) as e:
        eval_job(dict(name="rats", teacher_dir=str(teacher_dir), student_dir="models/students/rats", rewards={}, nfes=[3], records=[],
                      repeats=1, indices=[], noise_seed=0, guidance=1.0, seed=0))
    assert str(e.value) == "models/students/rats/diffusion_pytorch_model.safetensors: cannot be read (truncated?): delete models/students/rats and rerun `dvc repro`"


def test_truncated_reward_and_feature_net(tmp_path, monkeypatch):
    from rats.toy.grammar import InputError
    from rats.toy.metrics import FeatureNet, load_feature_net, save_feature_net
    from rats.toy.rewards import RewardFn, build_reward, load_reward, save_reward
    monkeypatch.chdir(tmp_path)
    save_reward(RewardFn(build_reward("cnn", width=8), 0.0, 1.0, "none"), "models/rewards/train", "cnn", width=8)
    save_feature_net(FeatureNet(), "models/feature_net")
    _cut(Path("models/rewards/train/model.safetensors"), 500)
    with pytest.raises(InputError) as e: load_reward("models/rewards/train")
    assert str(e.value) == "models/rewards/train/model.safetensors: cannot be read (truncated?): delete models/rewards/train and rerun `dvc repro`"
    _cut(Path("models/feature_net/model.safetensors"), 500)
    with pytest.raises(InputError) as e: load_feature_net("models/feature_net")
    assert str(e.value) == "models/feature_net/model.safetensors: cannot be read (truncated?): delete models/feature_net and rerun `dvc repro`"

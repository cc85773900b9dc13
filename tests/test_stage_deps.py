"dvc.yaml names, for every stage, exactly the rats modules its notebook runs (tools/stage_deps.py) and exactly the params it reads."
import sys
from pathlib import Path
import pytest, yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from stage_deps import notebook_deps

def _stages(dvc_yaml):
    return yaml.safe_load((ROOT / dvc_yaml).read_text())["stages"]

@pytest.mark.parametrize("dvc_yaml,prefix", [("dvc.yaml", ""), ("real/dvc.yaml", "../"), ("video/dvc.yaml", "../")])
def test_code_deps_are_what_the_notebook_runs(dvc_yaml, prefix):
    for name, st in _stages(dvc_yaml).items():
        nb = next((d for d in st.get("deps", []) if d.endswith(".ipynb")), None)
        if nb is None: continue                        # a stage that runs no notebook (the params check)
        listed = sorted(d[len(prefix):] for d in st["deps"] if d.startswith(prefix + "rats/"))
        want = notebook_deps(ROOT / "nbs" / "pipeline" / Path(nb).name)
        assert listed == want, f"{dvc_yaml} stage {name}: rats deps should be {want} (tools/stage_deps.py), got {listed}"

def test_params_are_what_the_stage_reads():
    from rats.toy.params import STAGES, tracked
    stages = {k: v for k, v in _stages("dvc.yaml").items() if k != "params"}   # `params` checks the whole file first
    assert set(stages) == set(STAGES)
    for name, st in stages.items():
        assert sorted(st["params"]) == sorted(tracked(name)), f"dvc.yaml stage {name}: params should be {tracked(name)}"
        assert "-p params_file params.yaml" in " ".join(st["cmd"].split()), f"stage {name} must hand its notebook the params file"

def test_video_params_are_what_the_stage_reads():
    from rats.toy.video_params import VIDEO_STAGES
    stages = {k: v for k, v in _stages("video/dvc.yaml").items() if k != "params"}
    assert set(stages) == set(VIDEO_STAGES)
    for name, st in stages.items():
        assert sorted(st["params"]) == sorted(VIDEO_STAGES[name]), f"video/dvc.yaml stage {name}: params should be {VIDEO_STAGES[name]}"

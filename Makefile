# Two commands on a fresh machine (see README): `make repro` and `make test`.
# Everything is installed into .venv by this file; nothing by hand.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
# Installed first when the venv has no torch: on a CPU-only machine pick a CPU build
# (e.g. `make test TORCH_SPEC="torch==2.13.0"`, the default, which this project's machines hold locally).
TORCH_SPEC ?= torch==2.13.0
export DVC_NO_ANALYTICS := 1
export PYTHONHASHSEED := 0
# one intra-op thread: on a shared 2-core machine two torch threads under load were measured 100x slower
OMP_NUM_THREADS ?= 1
export OMP_NUM_THREADS

.PHONY: setup check test demo repro pretrained teacher smoke clean-nbs lab video video-pretrained
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q "$(TORCH_SPEC)"
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

# nbdev discipline: notebooks must be clean and rats/ must be what nbdev_export writes.
check: setup
	$(PY) tools/check_nbdev.py

# the tests read the versioned prompt sets (data.dvc, from the repository's own DVC remote: offline)
test: check
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc pull -q data.dvc
	$(PY) -m pytest -q tests

demo: setup
	$(PY) -m rats.toy.demo

# the main job: the DVC pipeline (data from the default remote, then every stage that is out of date; its first
# stage, `params`, checks params.yaml before any stage's outputs are touched). What the paper downloads rather than trains
# comes from the repository's DVC remote: the trained teacher (FLUX.1-dev there), its evaluation samples, and the
# instruments (the rewards and the feature network: HPSv2, PickScore, ImageReward, Inception there); their stages then have
# nothing to do. With other params for them there is none stored and `dvc repro` makes them (~16 min to train the
# teacher, ~10 min for its samples, ~5 min for the instruments here); `make pretrained` remakes all three.
PRETRAINED := teacher teacher_samples instruments
repro: setup
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc pull -q data.dvc
	for s in $(PRETRAINED); do PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc pull -q $$s || echo "no stored $$s for these params: dvc repro makes it"; done
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc repro

# the pulled stages made again from scratch, in order (teacher, its samples, the instruments; ~16 + ~10 + ~5 min here);
# `make repro` then runs the rest of the pipeline on them
pretrained: setup
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc pull -q data.dvc
	for s in $(PRETRAINED); do PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc repro -f -s $$s || exit 1; done
teacher: pretrained

# the toy video pipeline (video/dvc.yaml with video/params.yaml; nbs/toy/30-37): the prompt sets and the checker on the world's
# own clips, the toy Wan teacher, the rewards' networks, the teacher's paired samples with Table 0, then every (method, K, seed)
# student, its samples, and the video table (video/reports/tables.md). As for images, what the paper downloads (Wan2.1) comes
# from the DVC remote: the trained teacher (7,213 s to train here: 15,000 steps, 2 workers), the rewards' networks and the teacher's samples; with other
# params for them none is stored and `dvc repro` makes them. `make video-pretrained` remakes the three from scratch.
VIDEO_PRETRAINED := teacher instruments teacher_samples
video: setup
	for s in $(VIDEO_PRETRAINED); do PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc pull -q video/dvc.yaml:$$s || echo "no stored video $$s for these params: dvc repro makes it"; done
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc repro video/dvc.yaml

video-pretrained: setup
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc repro video/dvc.yaml:world
	for s in $(VIDEO_PRETRAINED); do PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc repro -f -s video/dvc.yaml:$$s || exit 1; done

# the same pipeline on the tiny profile (profiles/smoke.yaml, a few minutes) in its own workspace, .smoke/repo:
# the working copy's files (the committed results) are left alone. SMOKE_ARGS="--fresh" starts it from scratch.
SMOKE_ARGS ?=
smoke: setup
	$(PY) tools/smoke.py $(SMOKE_ARGS)

clean-nbs: setup
	$(VENV)/bin/nbdev_clean && $(VENV)/bin/nbdev_export

# JupyterLab on the notebooks (nbs/), their kernel the venv's python3 (ipykernel), with the OMP_NUM_THREADS above.
# Headless (a remote or CI machine): `make lab LAB_ARGS="--no-browser --port 8899"`, then open the printed
# http://localhost:8899/lab?token=... (through `ssh -L 8899:localhost:8899 host` when remote). Stop it with Ctrl-C twice.
LAB_ARGS ?=
lab: setup
	PATH="$(abspath $(VENV))/bin:$$PATH" JUPYTER_PREFER_ENV_PATH=1 $(VENV)/bin/jupyter lab \
	  --ServerApp.root_dir="$(abspath nbs)" $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

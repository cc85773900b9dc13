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

.PHONY: setup check test demo repro teacher smoke clean-nbs lab
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
# stage, `params`, checks params.yaml before any stage's outputs are touched). The trained teacher and its evaluation
# samples come from the repository's DVC remote, as the paper starts from a downloaded FLUX.1-dev: their stages then
# have nothing to do. With other teacher (or evaluation) params there is none stored and `dvc repro` makes them
# (~16 min to train the teacher, ~10 min for its samples here); `make teacher` remakes both.
repro: setup
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc pull -q data.dvc
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc pull -q teacher || echo "no stored teacher for these params: dvc repro trains it"
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc pull -q teacher_samples || echo "no stored teacher samples for these params: dvc repro makes them"
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc repro

# the teacher trained from scratch and its evaluation samples made again (the stages `make repro` otherwise pulls from the
# remote; ~16 + ~10 min here); `make repro` then runs the rest of the pipeline on them
teacher: setup
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc pull -q data.dvc
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc repro -f teacher
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/dvc repro -f -s teacher_samples

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

import os, random
import numpy as np
import pytest
import torch
from hypothesis import settings

# property tests draw the same examples on every run (derandomize: a fixed seed per test, no example database)
settings.register_profile("deterministic", derandomize=True, database=None)
settings.load_profile("deterministic")

@pytest.fixture(autouse=True)
def _seed_everything():
    "Tests are deterministic: every test starts from the same seeds."
    random.seed(0); np.random.seed(0); torch.manual_seed(0)
    yield

@pytest.fixture(scope="session")
def tiny_teacher():
    "A tiny teacher pre-trained on the tiny world (shared by the end-to-end tests)."
    from rats.core.tiny import train_tiny_teacher
    torch.manual_seed(0)
    return train_tiny_teacher(steps=200, seed=0)

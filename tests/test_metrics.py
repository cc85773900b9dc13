"""Property tests for the distribution and diversity metrics (rats.toy.metrics): FD, KID, FJD, diversity."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from rats.toy.metrics import diversity, frechet_distance, joint_frechet_distance, kid, mmd2_unbiased, poly_kernel

seeds = st.integers(0, 2**31 - 1)


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    "Tiny matrices: one thread avoids OpenMP barriers that dominate on a busy 2-core machine."
    n = torch.get_num_threads(); torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def gaussian(seed, n, d, scale=1.0, sample_seed=None):
    "n samples of a random d-dim Gaussian (the covariance set by `seed`, the samples by `sample_seed`)."
    g = torch.Generator().manual_seed(seed)
    mix = torch.randn(d, d, generator=g, dtype=torch.float64) * scale
    if sample_seed is not None: g = torch.Generator().manual_seed(sample_seed)
    return torch.randn(n, d, generator=g, dtype=torch.float64) @ mix


@settings(max_examples=40, deadline=None)
@given(seeds, st.integers(1, 12))
def test_fd_self_zero_shift_exact_and_symmetric(seed, d):
    a = gaussian(seed, 3 * d + 20, d)
    b = gaussian(seed + 1, 2 * d + 30, d, scale=1.5)
    scale = float(a.var(0).sum()) + 1.0
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-7 * scale)
    shift = torch.as_tensor(np.random.default_rng(seed).normal(0, 2, d))
    assert frechet_distance(a, a + shift) == pytest.approx(float(shift.square().sum()), rel=1e-6, abs=1e-7 * scale)
    fab, fba = frechet_distance(a, b), frechet_distance(b, a)
    assert fab >= 0 and fab == pytest.approx(fba, rel=1e-6, abs=1e-7 * scale)


@settings(max_examples=30, deadline=None)
@given(seeds, st.floats(0.1, 5.0))
def test_fd_grows_with_mean_shift(seed, step):
    a = gaussian(seed, 200, 4)
    b = gaussian(seed + 7, 200, 4)
    b = b - b.mean(0) + a.mean(0)          # the same mean as a: a shift along u then only moves the means apart (from another mean it may first close them)
    u = torch.ones(4, dtype=torch.float64)
    assert frechet_distance(a, b + 2 * step * u) > frechet_distance(a, b + step * u)


@settings(max_examples=15, deadline=None)
@given(seeds)
def test_kid_near_zero_same_distribution_and_positive_for_shift(seed):
    a, b = gaussian(seed, 400, 6), gaussian(seed, 400, 6, sample_seed=seed + 1)  # one distribution, two samples
    same, std = kid(a, b, n_subsets=10, subset_size=200, seed=seed, return_std=True)
    shifted = kid(a, b + 3.0, n_subsets=10, subset_size=200, seed=seed)
    assert abs(same) < 4 * std + 1e-6 * shifted
    assert shifted > 10 * max(abs(same), std)


@settings(max_examples=25, deadline=None)
@given(seeds, st.integers(2, 12), st.integers(2, 12))
def test_mmd2_unbiased_matches_pairwise_sums(seed, m, n):
    x = gaussian(seed, m + n, 3)
    X, Y = x[:m], x[m:]
    kxx = sum(float(poly_kernel(X[i:i + 1], X[j:j + 1])) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    kyy = sum(float(poly_kernel(Y[i:i + 1], Y[j:j + 1])) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    kxy = float(poly_kernel(X, Y).mean())
    assert float(mmd2_unbiased(X, Y)) == pytest.approx(kxx + kyy - 2 * kxy, rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(seeds, st.integers(1, 6), st.integers(2, 6), st.integers(1, 8))
def test_diversity_collapse_zero_and_invariances(seed, n_prompts, n_seeds, d):
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(n_prompts), n_seeds)
    z = rng.normal(size=(len(ids), d))
    collapsed = z[np.arange(len(ids)) // n_seeds * n_seeds]  # each prompt's first sample, repeated
    assert diversity(collapsed, ids) == 0.0
    div = diversity(z, ids)
    assert div > 0
    perm = rng.permutation(len(ids))
    assert diversity(z[perm], ids[perm]) == pytest.approx(div)                       # order-free
    assert diversity(z + rng.normal(size=d), ids) == pytest.approx(div)              # translation-invariant
    assert diversity(3 * z, ids) == pytest.approx(3 * div)                           # scales with distances


def test_fjd_sees_wrong_condition_that_fd_misses():
    from rats.toy.world import ALL_OBJECTS, Scene
    rng = np.random.default_rng(0)
    specs = [Scene([o], 'center') for o in ALL_OBJECTS] * 40
    onehot = np.eye(len(ALL_OBJECTS))[np.arange(len(specs)) % len(ALL_OBJECTS)]
    f_ref = torch.as_tensor(onehot * 4 + rng.normal(0, 0.3, onehot.shape))
    f_ok = torch.as_tensor(onehot * 4 + rng.normal(0, 0.3, onehot.shape))
    f_swapped = torch.as_tensor(np.roll(onehot, 1, axis=1) * 4 + rng.normal(0, 0.3, onehot.shape))
    # the marginal distributions are the same: FD cannot tell, FJD can
    assert frechet_distance(f_ref, f_swapped) < 0.5
    assert joint_frechet_distance(f_ref, specs, f_swapped, specs) > 10 * joint_frechet_distance(f_ref, specs, f_ok, specs)


def test_errors_are_clear():
    a = torch.randn(10, 3)
    with pytest.raises(ValueError, match="dimensions differ"): frechet_distance(a, torch.randn(10, 4))
    with pytest.raises(ValueError, match="at least 2"): kid(a[:1], a)
    with pytest.raises(ValueError, match="NaN"): frechet_distance(a * float('nan'), a)
    with pytest.raises(ValueError, match="at least 2 samples"): diversity(a[:3], [0, 1, 2])

"""Property tests for the shapes world (rats.toy.world): renderer, prompts, verifier, corruptions."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from rats.toy.world import ALL_OBJECTS, POSITIONS, RELATIONS, SIZE, Scene, add_noise, blur, from_model, render, render_batch, to_model
from rats.toy.grammar import is_held_out, load_jsonl, make_prompt_sets, paraphrases, parse_prompt, prompt_for, save_jsonl
from rats.toy.verifier import CORRUPTIONS, corrupt, verify, verify_batch

seeds = st.integers(0, 2**32 - 1)


@st.composite
def scenes(draw, specified=st.booleans()):
    "Any valid scene: 1 or 2 distinct objects, a layout, a specified flag."
    objs = draw(st.lists(st.sampled_from(ALL_OBJECTS), min_size=1, max_size=2, unique=True))
    layout = draw(st.sampled_from(tuple(POSITIONS) if len(objs) == 1 else RELATIONS))
    return Scene(tuple(objs), layout, draw(specified))


@settings(max_examples=150, deadline=None)
@given(scenes(), seeds)
def test_render_is_deterministic_and_in_range(scene, seed):
    img = render(scene, np.random.default_rng(seed))
    assert img.shape == (SIZE, SIZE, 3) and img.dtype == np.float32
    assert 0 <= img.min() and img.max() <= 1
    np.testing.assert_array_equal(img, render(scene, np.random.default_rng(seed)))


@settings(max_examples=200, deadline=None)
@given(scenes(), seeds)
def test_verifier_accepts_its_own_renderings(scene, seed):
    img = render(scene, np.random.default_rng(seed))
    full = Scene(scene.objects, scene.layout, True)  # the layout as rendered, always checked
    for spec in (full, scene.spec()):
        res = verify(img, spec)
        assert res['ok'], (scene, res['found'])


@settings(max_examples=100, deadline=None)
@given(scenes(), seeds, st.floats(0.0, 0.8))
def test_verifier_survives_mild_blur(scene, seed, sigma):
    img = blur(render(scene, np.random.default_rng(seed)), sigma)
    assert verify(img, Scene(scene.objects, scene.layout, True))['count_ok']


@settings(max_examples=200, deadline=None)
@given(scenes(), seeds, st.sampled_from(CORRUPTIONS))
def test_verifier_rejects_corruptions(scene, seed, kind):
    if kind == 'layout' and not scene.specified:
        with pytest.raises(ValueError, match='specified'):
            corrupt(scene, np.random.default_rng(seed), kind)
        return
    bad = corrupt(scene, np.random.default_rng(seed), kind)
    assert bad.spec() != scene.spec()
    img = render(bad, np.random.default_rng(seed))
    res = verify(img, scene.spec())
    assert not res['ok'], (scene, bad, res['found'])
    assert verify(img, Scene(bad.objects, bad.layout, True))['ok']  # and the corrupted scene is what was drawn


@settings(max_examples=200, deadline=None)
@given(scenes(), seeds)
def test_parse_inverts_prompts(scene, seed):
    rng = np.random.default_rng(seed)
    for _ in range(3):
        assert parse_prompt(prompt_for(scene, rng)) == scene.spec()
    p = paraphrases(scene)
    assert len(set(p)) == len(p)


@settings(max_examples=50, deadline=None)
@given(st.lists(scenes(), min_size=1, max_size=6), seeds)
def test_render_batch_matches_render_and_round_trips(batch, seed):
    imgs = render_batch(batch, seed)
    for i, s in enumerate(batch):
        np.testing.assert_array_equal(imgs[i], render(s, np.random.default_rng([seed, i])))
    x = to_model(imgs)
    assert x.shape == (len(batch), 3, SIZE, SIZE) and x.dtype == torch.float32
    np.testing.assert_allclose(from_model(x), imgs, atol=1e-6)
    res = verify_batch(imgs, [s.spec() for s in batch])
    assert all(r['ok'] for r in res)


@settings(max_examples=30, deadline=None)
@given(scenes(), seeds, st.floats(0.3, 2.0), st.floats(0.0, 0.1))
def test_degradations_stay_in_range(scene, seed, sigma, std):
    img = render(scene, np.random.default_rng(seed))
    for out in (blur(img, sigma), add_noise(img, std, np.random.default_rng(seed))):
        assert out.shape == img.shape and out.dtype == np.float32
        assert 0 <= out.min() and out.max() <= 1
    np.testing.assert_allclose(blur(img, sigma).mean((0, 1)), img.mean((0, 1)), atol=0.02)


def test_prompt_sets_hold_out_and_round_trip(tmp_path):
    train, evals = make_prompt_sets(0, n_train=500, n_eval_two=64)
    assert not any(is_held_out(Scene.from_dict(r['scene'])) for r in train)
    assert sum(r['held_out'] for r in evals) >= 32
    assert make_prompt_sets(0, n_train=500, n_eval_two=64) == (train, evals)
    for r in train + evals:
        assert parse_prompt(r['prompt']) == Scene.from_dict(r['scene']).spec()
    assert load_jsonl(save_jsonl(train, tmp_path / 'train.jsonl')) == train

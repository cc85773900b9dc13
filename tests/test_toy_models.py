"""Tests for the toy teacher (rats.toy.models): tokenizer, training, save/load round trip, resume from a checkpoint."""
import math
import numpy as np
import pytest
import torch

from rats.toy.models import (MAX_TOKENS, build_teacher, encode_prompts, guided_velocity, load_teacher, make_tokenizer,
                             pack, sample, save_teacher, train_teacher, unpack)
from rats.toy.grammar import VOCAB, make_prompt_sets


@pytest.fixture(scope="module")
def records():
    return make_prompt_sets(0, n_train=64)


def test_tokenizer_covers_the_grammar(records):
    tok = make_tokenizer()
    train, evals = records
    for r in train + evals:
        ids = tok(r['prompt']).input_ids
        assert tok.unk_token_id not in ids and len(ids) <= MAX_TOKENS
        assert ids[0] == tok.bos_token_id and ids[-1] == tok.eos_token_id
    assert len(tok) == len(VOCAB) + 4


def test_pack_is_invertible():
    x = torch.randn(3, 3, 32, 32)
    assert pack(x).shape == (3, 12, 16, 16)
    torch.testing.assert_close(unpack(pack(x)), x, rtol=0, atol=0)


def test_encoder_outputs_tokens_and_pooled():
    m = build_teacher('tiny')
    c = encode_prompts(m, ['a red circle and a blue box', ''])
    assert c['encoder_hidden_states'].shape == (2, MAX_TOKENS, 16) and c['class_labels'].shape == (2, 16)


def test_guidance_is_linear_in_scale():
    m = build_teacher('tiny').eval()
    z, t = torch.randn(2, 12, 16, 16), torch.full((2,), 0.7)
    ps = ['a red circle', 'a green box on the left']
    with torch.no_grad():
        v1, v2, vu = (guided_velocity(m, ps, 1.0)(z, t), guided_velocity(m, ps, 2.5)(z, t),
                      guided_velocity(m, ['', ''], 1.0)(z, t))
    torch.testing.assert_close(v2, vu + 2.5 * (v1 - vu), atol=1e-4, rtol=1e-4)


def test_train_save_load_resume(records, tmp_path):
    train, evals = records
    kw = dict(batch=4, lr=3e-3, seed=1, progress=False, ema_decay=0.9, warmup=2)
    log = []
    full = train_teacher('tiny', train, steps=4, log=log, **kw)
    assert len(log) == 4 and all(math.isfinite(l) for l in log)
    # resume: 2 steps, then continue to 4 from the checkpoint == 4 uninterrupted steps
    ck = tmp_path / 'ck.pt'
    train_teacher('tiny', train, steps=2, ckpt_path=ck, **kw)
    assert torch.load(ck, weights_only=False)['step'] == 2
    resumed = train_teacher('tiny', train, steps=4, ckpt_path=ck, **kw)
    for (k, a), b in zip(full.state_dict().items(), resumed.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=k)
    # save / load round trip gives identical samples
    save_teacher(full, tmp_path / 'teacher')
    loaded = load_teacher(tmp_path / 'teacher')
    ps = [r['prompt'] for r in evals[:3]]
    a, b = sample(full, ps, K=2, guidance=2.0, seed=5), sample(loaded, ps, K=2, guidance=2.0, seed=5)
    assert a.shape == (3, 32, 32, 3) and a.dtype == np.float32 and 0 <= a.min() and a.max() <= 1
    np.testing.assert_array_equal(a, b)


def test_load_missing_dir_fails(tmp_path):
    with pytest.raises(FileNotFoundError, match='no saved teacher'):
        load_teacher(tmp_path / 'nope')

"Reward adapters: CLIP/PickScore on a tiny CLIPModel, clear failures for missing weights and missing extras."
import os, subprocess, sys, textwrap, warnings
import pytest
import torch

warnings.filterwarnings("ignore", message=".*torchvision.*")
from rats.real.testing import get_dummy_clip
from rats.real.rewards import (CLIPReward, load_clip_reward, load_hpsv2_reward, load_imagereward_reward,
                          VideoFrameReward, clip_preprocess)

def test_clip_reward_is_differentiable_and_matches_clipmodel():
    clip, tok = get_dummy_clip()
    rw = CLIPReward(clip, tok)
    x = torch.rand(3, 3, 40, 56, requires_grad=True)
    prompts = ["a red circle", "a blue square", "a red circle"]
    r = rw(x, prompts)
    ids = tok(prompts, padding="max_length", max_length=16, return_tensors="pt")
    with torch.no_grad():
        ref = clip(input_ids=ids.input_ids, attention_mask=ids.attention_mask, pixel_values=clip_preprocess(x, 32)).logits_per_image.diagonal()
    torch.testing.assert_close(r, ref, atol=1e-4, rtol=1e-4)
    r.sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    assert all(p.grad is None for p in clip.parameters())

def test_missing_weights_messages_offline():
    "A nonexistent local path, and an uncached hub id under HF_HUB_OFFLINE=1 (set before import, in a fresh process)."
    code = textwrap.dedent("""
        from rats.real.rewards import load_clip_reward, PICKSCORE
        for kw in (dict(name_or_path="/nonexistent/PickScore_v1"), dict(**PICKSCORE, revision="main", processor_revision="main")):
            try: load_clip_reward(**kw)
            except FileNotFoundError as e: print("MSG:", e)
            else: print("LOADED")
    """)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": "/tmp/rats-empty-hf-home"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120).stdout
    msgs = [l for l in out.splitlines() if l.startswith(("MSG:", "LOADED"))]
    assert len(msgs) == 2, out
    assert "local path '/nonexistent/PickScore_v1' does not exist" in msgs[0]
    assert "yuvalkirstain/PickScore_v1" in msgs[1] and "HF_HUB_OFFLINE is set" in msgs[1]

def test_hub_id_needs_pinned_revision():
    with pytest.raises(ValueError, match="pin a revision"): load_clip_reward("yuvalkirstain/PickScore_v1")

def test_optional_extras_fail_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="HPS_v2.1_compressed.pt"): load_hpsv2_reward(str(tmp_path / "HPS_v2.1_compressed.pt"))
    with pytest.raises(FileNotFoundError, match="ImageReward"): load_imagereward_reward(str(tmp_path / "ImageReward.pt"))
    ck = tmp_path / "ckpt.pt"; ck.write_bytes(b"0")
    try: import open_clip  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"rats\[hpsv2\]"): load_hpsv2_reward(str(ck))
    try: import ImageReward  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"rats\[imagereward\]"): load_imagereward_reward(str(ck))

def test_rewards_module_imports_no_heavy_extras():
    code = "import sys, rats.real.rewards; print([m for m in ('open_clip', 'ImageReward', 'hpsv2', 'torchvision', 'timm') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120).stdout.strip()
    assert out.endswith("[]"), out

def test_video_reward_averages_frames():
    f = lambda img, c: img.mean((1, 2, 3))
    v = torch.rand(2, 3, 4, 8, 8)
    torch.testing.assert_close(VideoFrameReward(f)(v, ["a", "b"]), v.mean((1, 2, 3, 4)))

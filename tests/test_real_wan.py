"Wan 2.1 adapter on tiny components: export check against the stock WanPipeline, and a RATS step on video."
import warnings
import pytest
import torch

warnings.filterwarnings("ignore", message=".*torchvision.*")
from diffusers import WanPipeline, UniPCMultistepScheduler
from rats.real.wan import WanAdapter, euler_scheduler
from rats.real.testing import get_dummy_wan_components
from rats.real.rewards import VideoFrameReward
from rats.core.step import train_step
from rats.core.teacher import EMATeacher

PROMPTS = ["a red circle", "a blue square on the left"]

@pytest.fixture(scope="module")
def wan():
    pipe = WanPipeline(**get_dummy_wan_components()); pipe.set_progress_bar_config(disable=True)
    return pipe, WanAdapter(pipe, height=16, width=32, num_frames=5, max_sequence_length=16)

def test_sampler_equals_stock_pipeline(wan):
    pipe, ad = wan
    noise = ad.noise(2, torch.Generator().manual_seed(1))
    with torch.no_grad():
        ours = ad.sample(pipe.transformer, noise, ad.encode_prompt(PROMPTS, negative="blurry"), 3, ad.guided_velocity_fn(4.0))
    ref = pipe(prompt=PROMPTS, negative_prompt="blurry", latents=noise, num_inference_steps=3, guidance_scale=4.0, height=16,
               width=32, num_frames=5, max_sequence_length=16, output_type="latent", return_dict=False)[0]
    torch.testing.assert_close(ours, ref, atol=1e-5, rtol=1e-5)

def test_unipc_pipeline_is_refused_with_a_fix(wan):
    pipe, _ = wan
    p2 = WanPipeline(**{**get_dummy_wan_components(), "scheduler": UniPCMultistepScheduler(use_flow_sigmas=True, flow_shift=3.0, prediction_type="flow_prediction")})
    with pytest.raises(TypeError, match="euler_scheduler"): WanAdapter(p2, 16, 16, 5)
    p2.scheduler = euler_scheduler(p2)
    assert p2.scheduler.config.shift == 3.0
    WanAdapter(p2, 16, 16, 5)

def test_rats_step_on_video(wan):
    pipe, ad = wan
    torch.manual_seed(0)
    student = get_dummy_wan_components()["transformer"]
    teacher = EMATeacher(student, 1.0)
    reward = VideoFrameReward(lambda img, c: img[:, 0].mean((1, 2)) - img[:, 1:].mean((1, 2, 3)))
    lf = ad.rats_loss(ad.rats_config("rats", K=2, N=4))
    opt = torch.optim.AdamW(student.parameters(), lr=1e-3)
    noise, cond = ad.noise(2, torch.Generator().manual_seed(0)), ad.encode_prompt(PROMPTS)
    stats = train_step(lf, student, teacher, opt, noise, cond, ad.decode, reward, PROMPTS)
    assert {"reward_student", "reward_teacher", "loss_shape"} <= set(stats)
    assert all(p.grad is None for p in teacher.parameters()) and all(p.grad is None for p in pipe.vae.parameters())

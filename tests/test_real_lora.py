"LoRA students: adapter-off teacher, diffusers LoRA save/load through the stock pipeline, full-weights round trip."
import warnings, json
import pytest
import torch

warnings.filterwarnings("ignore", message=".*torchvision.*")
from diffusers import FluxPipeline, FluxTransformer2DModel
from safetensors import safe_open
from rats.real.flux import FluxAdapter, pipeline_sample, flux_velocity
from rats.real.testing import get_dummy_flux_components
from rats.real.lora import add_lora, lora_parameters, LoraTeacher, base_velocity_fn, save_lora, save_student, adapters_disabled
from rats.core.step import train_step

PROMPTS = ["a red circle", "a blue square on the left"]
red = lambda img, c: img[:, 0].mean((1, 2)) - img[:, 1:].mean((1, 2, 3))

@pytest.fixture(scope="module")
def trained():
    "A LoRA student (rank 4, alpha 8) after 2 RATS steps, with the adapter and batch it was trained on."
    pipe = FluxPipeline(**get_dummy_flux_components()); pipe.set_progress_bar_config(disable=True)
    ad = FluxAdapter(pipe, 16, 16, max_sequence_length=16)
    torch.manual_seed(0)
    st = add_lora(get_dummy_flux_components()["transformer"], rank=4, alpha=8, gradient_checkpointing=True)
    noise, cond = ad.noise(2, torch.Generator().manual_seed(0)), ad.encode_prompt(PROMPTS)
    lf = ad.rats_loss(ad.rats_config("rats", K=2, N=4))
    opt = torch.optim.AdamW(lora_parameters(st), lr=1e-2)
    for _ in range(2): train_step(lf, st, LoraTeacher(st), opt, noise, cond, ad.decode, red, PROMPTS)
    return pipe, ad, st, noise, cond

def test_only_adapter_trains_and_teacher_is_base(trained):
    pipe, ad, st, noise, cond = trained
    base = pipe.transformer   # untouched seeded base weights
    sd_base = base.state_dict()
    with adapters_disabled(st):
        for n, p in st.named_parameters():
            if "lora_" not in n:
                key = n.replace(".base_layer", "")
                assert torch.equal(p, sd_base[key]), n
    sig = torch.full((2,), 0.6)
    with torch.no_grad():
        torch.testing.assert_close(flux_velocity(LoraTeacher(st), cond)(noise, sig), flux_velocity(base, cond)(noise, sig))
        torch.testing.assert_close(base_velocity_fn(flux_velocity)(st, cond)(noise, sig), flux_velocity(base, cond)(noise, sig))
    assert all("lora_" in n for n, p in st.named_parameters() if p.requires_grad)

def test_lora_roundtrip_through_stock_pipeline(trained, tmp_path):
    pipe, ad, st, noise, cond = trained
    f = save_lora(st, tmp_path)
    with safe_open(str(f), "pt") as sf:
        assert all(k.startswith("transformer.") and "lora" in k for k in sf.keys())
        meta = sf.metadata()
    assert meta and any("lora_alpha" in v or "8" in v for v in meta.values())   # rank/alpha travel as metadata
    fresh = FluxPipeline(**get_dummy_flux_components()); fresh.set_progress_bar_config(disable=True)
    fresh.load_lora_weights(tmp_path)
    with torch.no_grad():
        ours = ad.sample(st, noise, cond, 2)
        theirs = pipeline_sample(fresh, PROMPTS, noise, 2, ad)
        torch.testing.assert_close(theirs, ours, atol=1e-5, rtol=1e-5)
        assert (ours - ad.sample(pipe.transformer, noise, cond, 2)).abs().max() > 1e-4
        torch.testing.assert_close(pipeline_sample(fresh, PROMPTS, noise, 2, ad, "pt"), ad.decode(ours, clamp=True), atol=1e-5, rtol=1e-5)

def test_full_weights_roundtrip(tmp_path):
    m = get_dummy_flux_components(seed=3)["transformer"]
    save_student(m, tmp_path)
    back = FluxTransformer2DModel.from_pretrained(tmp_path)
    assert back.state_dict().keys() == m.state_dict().keys()
    assert all(torch.equal(a, b) for a, b in zip(back.state_dict().values(), m.state_dict().values()))

def test_save_student_refuses_active_adapter(tmp_path):
    st = add_lora(get_dummy_flux_components()["transformer"], rank=2)
    with pytest.raises(ValueError, match="use save_lora"): save_student(st, tmp_path)

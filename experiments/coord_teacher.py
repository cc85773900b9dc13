"Hypothesis test: does giving the toy U-Net absolute coordinates let it learn layout? Usage: train_coord.py STEPS"
import sys, time, json, torch
torch.set_num_threads(1)
from diffusers import ModelMixin, ConfigMixin, UNet2DConditionModel
from diffusers.configuration_utils import register_to_config
import rats.toy.models as tm
from rats.toy.grammar import make_prompt_sets

class CoordUNet(ModelMixin, ConfigMixin):
    @register_to_config
    def __init__(self, unet_config: dict):
        super().__init__()
        cfg = dict(unet_config); cfg["in_channels"] = cfg["in_channels"] + 2
        self.unet = UNet2DConditionModel(**cfg)
        H = cfg["sample_size"]
        yy, xx = torch.meshgrid(torch.linspace(-1, 1, H), torch.linspace(-1, 1, H), indexing="ij")
        self.register_buffer("coords", torch.stack([xx, yy])[None], persistent=False)
    def forward(self, sample, timestep, encoder_hidden_states=None, class_labels=None, return_dict=True, **kw):
        x = torch.cat([sample, self.coords.expand(sample.shape[0], -1, -1, -1).to(sample)], 1)
        return self.unet(x, timestep, encoder_hidden_states=encoder_hidden_states, class_labels=class_labels, return_dict=return_dict, **kw)

tm.UNet2DConditionModel = lambda **cfg: CoordUNet(cfg)
steps = int(sys.argv[1])
import os; os.makedirs("experiments/out_coord", exist_ok=True)
train, evals = make_prompt_sets(0)
t0 = time.time()
m = tm.train_teacher("toy", train, steps=steps, batch=32, lr=1e-3, seed=0, ckpt_path="experiments/out_coord/ckpt.pt", progress=False, ckpt_every=250)
print("train_s", time.time() - t0, flush=True)
torch.save(m.state_dict(), "experiments/out_coord/final_state.pt")
rows = tm.evaluate_teacher(m, evals, nfes=(3, 50), guidances=(1.0, 2.0), seed=123)
json.dump(dict(train_s=time.time() - t0, steps=steps, rows=rows), open("experiments/out_coord/eval.json", "w"), indent=1)
for r in rows: print(r, flush=True)

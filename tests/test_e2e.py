"End-to-end sanity on a tiny model and a tiny differentiable reward."
import torch
from rats.toy.demo import evaluate, teacher_reference, train_student
from rats.core.tiny import TinyColourReward

N = 24

def test_rats_raises_reward(tiny_teacher):
    reward, ref = TinyColourReward(), teacher_reference(tiny_teacher, N)
    before = evaluate(tiny_teacher, ref, 3, reward)
    student, log = train_student("rats", tiny_teacher, steps=30, K=3, N=N, batch=16, lr=1e-4, progress=False)
    after = evaluate(student, ref, 3, reward)
    assert after["reward"] > before["reward"] + 0.05, (before, after)
    assert all(k in log[-1] for k in ("reward_student", "reward_teacher", "reward_gap", "gate_mean", "loss_shape", "loss_reward"))

def test_distill_moves_towards_teacher(tiny_teacher):
    reward, ref = TinyColourReward(), teacher_reference(tiny_teacher, N)
    before = evaluate(tiny_teacher, ref, 3, reward)["dist_to_teacher"]
    student, _ = train_student("distill", tiny_teacher, steps=30, K=3, N=N, batch=16, lr=1e-4, progress=False)
    after = evaluate(student, ref, 3, reward)["dist_to_teacher"]
    assert after < before, (before, after)

def test_teacher_untouched_by_training(tiny_teacher):
    snapshot = {k: v.clone() for k, v in tiny_teacher.state_dict().items()}
    train_student("mix", tiny_teacher, steps=2, K=3, N=6, batch=4, progress=False)
    assert all(torch.equal(v, tiny_teacher.state_dict()[k]) for k, v in snapshot.items())

def test_deterministic(tiny_teacher):
    a = train_student("rats", tiny_teacher, steps=3, K=3, N=6, batch=4, progress=False)[1]
    b = train_student("rats", tiny_teacher, steps=3, K=3, N=6, batch=4, progress=False)[1]
    assert a == b

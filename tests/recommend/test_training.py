"""The model: trained by the command, swapped whole, read again when it changes, trained again in the
background after enough new scores, and empty on an empty site (recommendations still come from fit)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from django.core.management import call_command

from shuraba.accounts.models import User
from shuraba.accounts.policies import PUBLIC
from shuraba.catalog.models import Title
from shuraba.library.services import entry_save
from shuraba.recommend import training
from shuraba.recommend.collab import library_kept, model_from_arrays, model_load, model_save, strength
from shuraba.recommend.engine import Exclusions, recommendations_for
from shuraba.recommend.training import model_current, recommend_train


def _readers(count: int, titles: list[Title]) -> None:
    for number in range(count):
        user = User.objects.create_user(f"r{number}", password="a-long-reader-password")
        for place, title in enumerate(titles):
            entry_save(user=user, title=title, changes={"status": "completed", "score": 6 + (place + number) % 5})


def test_the_command_trains_and_says_what_it_learned_from(db: None, model_dir: Path, capsys: object) -> None:
    _readers(3, list(Title.objects.order_by("slug")[:6]))
    call_command("recommend_train")
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "Trained on 3 well-kept libraries" in out
    assert model_current().readers == 3


def test_an_empty_site_s_model_is_empty_and_recommendations_fall_back_to_fit(db: None, model_dir: Path) -> None:
    recommend_train()
    model = model_current()
    assert model.empty
    library = {t.pk: ("completed", 9) for t in Title.objects.filter(content_rating="teen")[:4]}
    found = recommendations_for(visibility=PUBLIC, answers=None, library=library, exclusions=Exclusions(), model=model)
    assert found.blend.case == "no model yet"
    assert found.items
    assert all(r.kind == "axis" for i in found.items for r in i.reasons)


def test_the_model_file_is_replaced_whole_and_read_again_when_it_changes(db: None, model_dir: Path) -> None:
    path = model_dir / "model.npz"
    one = model_from_arrays(
        np.array([0, 0, 1]), np.array([10, 11, 10]), np.ones(3), np.array([True, True, False]),
        readers=2, version="one", trained_at="2026-01-01T00:00:00+00:00",
    )  # fmt: skip
    model_save(one, path)
    assert model_current(path=path).version == "one"
    two = model_from_arrays(
        np.array([0]), np.array([12]), np.ones(1), np.array([False]),
        readers=1, version="two", trained_at="2026-01-02T00:00:00+00:00",
    )  # fmt: skip
    model_save(two, path)
    assert model_current(path=path).version == "two"
    assert [p.name for p in model_dir.iterdir()] == ["model.npz"]  # no temporary file left beside it
    loaded = model_load(path)
    assert list(loaded.item_pks) == [12]


def test_enough_new_scores_start_a_training_in_the_background(db: None, model_dir: Path, monkeypatch: object) -> None:
    titles = list(Title.objects.order_by("slug")[:6])
    _readers(2, titles)
    before = model_current()
    monkeypatch.setattr(training, "RETRAIN_AFTER", 10)  # type: ignore[attr-defined]
    training.checks_reset()
    trained: list[object] = []
    monkeypatch.setattr(training, "recommend_train", lambda path=None: trained.append(path))  # type: ignore[attr-defined]
    assert training.training_maybe_start(before)
    training.training_wait()
    assert trained == [None]
    assert not training.training_maybe_start(before)  # checked a moment ago: no second count


def test_fewer_new_scores_start_nothing(db: None, model_dir: Path) -> None:
    training.checks_reset()
    assert not training.training_maybe_start(model_current())


def test_a_library_teaches_the_model_only_when_well_kept() -> None:
    assert library_kept([("completed", 8), ("completed", 7), ("reading", None), ("on-hold", 5), ("dropped", 2)])
    assert not library_kept([("completed", 8)] * 4 + [("plan-to-read", None)] * 10)
    assert not library_kept([("completed", 10)] * 6)  # every score one value
    assert strength("dropped", 10) == 0.0
    assert strength("completed", 4) == 0.0
    assert strength("completed", None) == 0.7

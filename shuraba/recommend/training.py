"""Training the collaborative model from the database, where it is kept, and when it is trained again.

The model lives in one file under the data directory (`model_path`), replaced whole (collab.model_save).
Every process reads it again when the file changes (its size and modification time), so a model trained
by the management command or by another worker is used on the next request. There is no schedule: after
RETRAIN_AFTER new or changed scored entries since the model was trained, the next recommendation request
starts a training in a background thread (one per process at a time) and is answered with the model it
has; the thread swaps the file when done."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

from shuraba.library.models import LibraryEntry, Privacy
from shuraba.recommend.collab import Model, model_empty, model_load, model_save, model_train

RETRAIN_AFTER = 50  # scored entries written since the model was trained
CHECK_EVERY = 60.0  # seconds between two checks of that count in one process
logger = logging.getLogger(__name__)

_lock = threading.Lock()
_loaded: tuple[tuple[str, int, int], Model] | None = None
_training: threading.Thread | None = None
_checked_at = 0.0


def model_path() -> Path:
    return Path(settings.DATA_DIR) / "recommend" / "model.npz"


@dataclass(frozen=True)
class Trained:
    readers: int
    titles: int
    entries: int
    seconds: float
    path: Path


def recommend_train(*, path: Path | None = None) -> Trained:
    """Train on every library entry its reader did not make private, and swap the model file."""
    started = time.perf_counter()
    rows = (
        LibraryEntry.objects.exclude(privacy=Privacy.PRIVATE)
        .values_list("user_id", "title_id", "status", "score")
        .iterator(chunk_size=20_000)
    )
    now = datetime.now(UTC)
    model = model_train(rows, version=now.strftime("%Y%m%dT%H%M%S%f"), trained_at=now.isoformat())
    target = path or model_path()
    model_save(model, target)
    return Trained(model.readers, len(model.item_pks), model.entries, time.perf_counter() - started, target)


def model_current(*, path: Path | None = None) -> Model:
    """The newest model on disk (read again when the file changed), or the empty model before any."""
    global _loaded  # noqa: PLW0603 (the process's one model, swapped whole)
    target = path or model_path()
    try:
        stat = target.stat()
    except FileNotFoundError:
        return model_empty()
    key = (str(target), stat.st_mtime_ns, stat.st_size)
    loaded = _loaded
    if loaded is not None and loaded[0] == key:
        return loaded[1]
    try:
        model = model_load(target)
    except Exception:  # noqa: BLE001 (a truncated or corrupt file, whatever numpy raises: the empty model serves)
        logger.warning("recommendations model %s cannot be read; serving without it until the next training", target)
        model = model_empty()
    _loaded = (key, model)
    return model


def scores_since(model: Model) -> int:
    """Scored entries written since the model was trained (all of them before any model)."""
    entries = LibraryEntry.objects.filter(score__isnull=False)
    if model.trained_at:
        entries = entries.filter(updated_at__gt=datetime.fromisoformat(model.trained_at))
    return entries.count()


def training_maybe_start(model: Model, *, path: Path | None = None) -> bool:
    """Start a background training when enough scores came in (checked at most once per CHECK_EVERY per
    process); never waits for it. True when one was started."""
    global _training, _checked_at  # noqa: PLW0603 (one training thread per process)
    now = time.monotonic()
    if now - _checked_at < CHECK_EVERY or (_training is not None and _training.is_alive()):
        return False
    _checked_at = now
    if scores_since(model) < RETRAIN_AFTER:
        return False
    with _lock:
        if _training is not None and _training.is_alive():
            return False
        _training = threading.Thread(target=_train_in_background, args=(path,), name="recommend-train", daemon=True)
        _training.start()
    return True


def _train_in_background(path: Path | None) -> None:
    try:
        trained = recommend_train(path=path)
        logger.info("recommendations model trained: %s readers, %s titles", trained.readers, trained.titles)
    except Exception:  # a failed training leaves the previous model serving; say so in the log
        logger.exception("recommendations model training failed; the previous model keeps serving")
    finally:
        connection.close()


def training_wait(timeout: float = 60.0) -> None:
    """For the management command and tests: wait for a background training of this process."""
    thread = _training
    if thread is not None:
        thread.join(timeout)


def checks_reset() -> None:
    """Forget when the count was last checked (tests, and a command that just trained)."""
    global _checked_at  # noqa: PLW0603 (the last check's time, per process)
    _checked_at = 0.0

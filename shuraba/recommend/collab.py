"""The collaborative signal: item-kNN over readers' libraries, on scipy sparse matrices.

A model is a readers x titles matrix of how strongly each reader liked each title (`STRENGTH`: the score
first, the status otherwise), from readers whose library is well kept (`library_kept`), each title's column
scaled to unit length, so the dot product of two columns is their cosine similarity. A viewer's scores are
Xᵀ·(X·w), w their own strengths: the sum, over the titles they liked, of each title's similarity to every
other (item-kNN with every co-read title as a neighbour), in two sparse products and no title x title matrix.
`high` keeps who scored what 8+, for the reason "readers who scored X 8+ scored it 8+" (`co_readers`)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse

HIGH_SCORE = 8
CO_READERS_AT_LEAST = 3  # other readers who read both titles before a reason names the co-read title
KEPT_AT_LEAST = 5  # entries beyond plan-to-read a library needs to teach the model
STATUS_STRENGTH = {"completed": 0.7, "rereading": 0.8, "reading": 0.5, "on-hold": 0.3}
# A scored entry: its score decides (a low score is no like, whatever the status).
SCORE_STRENGTH = ((9, 1.0), (8, 0.9), (7, 0.6), (6, 0.3))

Entry = tuple[int, int, str, int | None]  # reader id, title id, status, score


def strength(status: str, score: int | None) -> float:
    """How much an entry says its reader liked the title (0: it says nothing, or that they did not)."""
    if status == "dropped":
        return 0.0
    if score is not None:
        return next((s for at_least, s in SCORE_STRENGTH if score >= at_least), 0.0)
    return STATUS_STRENGTH.get(status, 0.0)


def library_kept(entries: list[tuple[str, int | None]]) -> bool:
    """A well-kept library: at least KEPT_AT_LEAST entries beyond plan-to-read, and scores (if any, five or
    more) that are not all one value (a reader who gives everything a 10 tells nothing apart)."""
    read = [e for e in entries if e[0] != "plan-to-read"]
    scores = {s for _, s in read if s is not None}
    scored = sum(1 for _, s in read if s is not None)
    flat = scored >= KEPT_AT_LEAST and len(scores) == 1
    return len(read) >= KEPT_AT_LEAST and not flat


@dataclass
class Model:
    version: str
    trained_at: str  # ISO time
    item_pks: np.ndarray  # title id per column
    matrix: sparse.csc_matrix  # readers x titles, columns of unit length
    high: sparse.csc_matrix  # readers x titles, 1 where the reader scored the title 8+
    readers: int
    entries: int
    column_of: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.column_of = {int(pk): i for i, pk in enumerate(self.item_pks)}

    @property
    def empty(self) -> bool:
        return bool(self.matrix.nnz == 0)

    def scores(self, liked: dict[int, float]) -> np.ndarray:
        """Per column, the sum of its similarities to the viewer's liked titles (title id -> strength)."""
        cols = [(self.column_of[pk], w) for pk, w in liked.items() if pk in self.column_of and w > 0]
        if not cols or self.empty:
            return np.zeros(len(self.item_pks))
        index = np.array([c for c, _ in cols])
        weights = np.array([w for _, w in cols])
        readers = self.matrix[:, index] @ weights
        return np.asarray(self.matrix.T @ readers).ravel()

    def co_readers(self, titles: list[int], high: list[int], read: list[int]) -> dict[int, tuple[bool, int]]:
        """Per title, the one of the reader's titles to name: (True, pk) when at least CO_READERS_AT_LEAST
        readers scored both 8+ (of `high`, the most such readers), else (False, pk) for the most similar of
        `read` that at least CO_READERS_AT_LEAST readers liked with it (so a reason never rests on one or two
        other readers' libraries). Sparse products for all the titles at once."""
        found: dict[int, tuple[bool, int]] = {}
        targets = [t for t in titles if t in self.column_of]
        if not targets:
            return found
        columns = [self.column_of[t] for t in targets]
        for scored_high, pool, matrix in ((True, high, self.high), (False, read, self.matrix)):
            pks = [pk for pk in pool if pk in self.column_of]
            if not pks:
                continue
            pool_columns = [self.column_of[pk] for pk in pks]
            shared = (matrix[:, pool_columns].T @ matrix[:, columns]).toarray()
            both = (matrix[:, pool_columns] != 0).astype(np.int64)
            readers = (both.T @ (matrix[:, columns] != 0).astype(np.int64)).toarray()
            shared[readers < CO_READERS_AT_LEAST] = 0.0
            for j, title in enumerate(targets):
                best = int(np.argmax(shared[:, j]))
                if title not in found and shared[best, j] > 0:
                    found[title] = (scored_high, pks[best])
        return found


def model_train(entries: Iterable[Entry], *, version: str, trained_at: str) -> Model:
    """A model from every library entry: the well-kept libraries' likes, as a sparse matrix."""
    by_reader: dict[int, list[tuple[int, str, int | None]]] = {}
    for reader, title, status, score in entries:
        by_reader.setdefault(reader, []).append((title, status, score))
    rows: list[int] = []
    titles: list[int] = []
    values: list[float] = []
    high: list[bool] = []
    kept = 0
    for reader_entries in by_reader.values():
        if not library_kept([(s, sc) for _, s, sc in reader_entries]):
            continue
        for title, status, score in reader_entries:
            if (w := strength(status, score)) > 0:
                rows.append(kept)
                titles.append(title)
                values.append(w)
                high.append(score is not None and score >= HIGH_SCORE)
        kept += 1
    return model_from_arrays(
        np.array(rows, dtype=np.int64),
        np.array(titles, dtype=np.int64),
        np.array(values, dtype=np.float64),
        np.array(high, dtype=bool),
        readers=kept,
        version=version,
        trained_at=trained_at,
    )


def model_from_arrays(
    rows: np.ndarray,
    titles: np.ndarray,
    values: np.ndarray,
    high: np.ndarray,
    *,
    readers: int,
    version: str,
    trained_at: str,
) -> Model:
    """The model of (reader row, title id, strength, scored 8+) arrays: the training's one numeric step."""
    item_pks, columns = np.unique(titles, return_inverse=True)
    shape = (readers, len(item_pks))
    matrix = sparse.csc_matrix((values, (rows, columns)), shape=shape)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=0)).ravel())
    norms[norms == 0] = 1.0
    matrix = sparse.csc_matrix(matrix @ sparse.diags(1.0 / norms))
    liked = sparse.csc_matrix((np.ones(int(high.sum())), (rows[high], columns[high])), shape=shape)
    return Model(version, trained_at, item_pks, matrix, liked, readers, len(values))


def model_empty() -> Model:
    nothing = np.zeros(0, dtype=np.int64)
    return model_from_arrays(
        nothing, nothing, np.zeros(0), np.zeros(0, dtype=bool), readers=0, version="none", trained_at=""
    )


def model_save(model: Model, path: Path) -> None:
    """Written beside its final place, then moved over it in one step (os.replace): a reader of `path`
    sees the old model or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"version": model.version, "trained_at": model.trained_at, "readers": model.readers}
    m, h = model.matrix, model.high
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".model-", suffix=".npz", delete=False) as out:
        np.savez(
            out,
            meta=np.array(json.dumps(meta)),
            item_pks=model.item_pks,
            data=m.data,
            indices=m.indices,
            indptr=m.indptr,
            high_data=h.data,
            high_indices=h.indices,
            high_indptr=h.indptr,
            shape=np.array(m.shape),
        )
        out.flush()
        os.fsync(out.fileno())  # on disk before the rename: a crash leaves the old model or the whole new one
    Path(out.name).replace(path)  # os.replace: atomic on one file system


def model_load(path: Path) -> Model:
    """The model saved at `path`; raises (OSError, ValueError, zipfile.BadZipFile, KeyError...) on a
    truncated or corrupt file, closing it (training.model_current then serves the empty model)."""
    with path.open("rb") as file, np.load(file, allow_pickle=False) as saved:
        meta = json.loads(str(saved["meta"]))
        shape = tuple(int(x) for x in saved["shape"])
        matrix = sparse.csc_matrix((saved["data"], saved["indices"], saved["indptr"]), shape=shape)
        high = sparse.csc_matrix((saved["high_data"], saved["high_indices"], saved["high_indptr"]), shape=shape)
        return Model(
            meta["version"], meta["trained_at"], saved["item_pks"], matrix, high, meta["readers"], int(matrix.nnz)
        )

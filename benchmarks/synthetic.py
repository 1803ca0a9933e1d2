"""A seeded, plainly synthetic catalog: "Synthetic Title 000123 Kōri" and its alternative names,
every profile axis, long-tailed popularity, and tags drawn from a Zipf-like long tail.

The same seed and size give the same rows (and the same primary keys) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from shuraba.catalog.models import AltTitle, Title, TitleAxisValue, TitleTag
from shuraba.taxonomy.models import WARNING_CATEGORY, Axis, Tag, TagCategory

CHUNK = 5000
SOURCE = "import:benchmark"
TAGS_PER_TITLE = (8, 23)  # uniform, so ~15 on average
DRAWS_PER_TITLE = 48  # Zipf draws with replacement; the first distinct ones are kept
ZIPF_EXPONENT, ZIPF_OFFSET = 1.0, 2.0  # weight of the tag ranked k: 1 / (k + offset) ** exponent

# (romaji with long vowels, native, English) words for names; ō/ū exercise long-vowel folding.
WORDS = (
    ("Kōri", "氷", "ice"),
    ("Ōkami", "狼", "wolf"),
    ("Shōjo", "少女", "girl"),
    ("Yūki", "勇気", "courage"),
    ("Tōkyō", "東京", "capital"),
    ("Kyōdai", "兄弟", "siblings"),
    ("Ryū", "竜", "dragon"),
    ("Hana", "花", "flower"),
    ("Sakura", "桜", "blossom"),
    ("Yume", "夢", "dream"),
    ("Kage", "影", "shadow"),
    ("Hikari", "光", "light"),
    ("Kokoro", "心", "heart"),
    ("Sora", "空", "sky"),
    ("Umi", "海", "sea"),
    ("Tsuki", "月", "moon"),
    ("Hoshi", "星", "star"),
    ("Koi", "恋", "longing"),
    ("Namida", "涙", "tears"),
    ("Yakusoku", "約束", "promise"),
    ("Uso", "嘘", "lie"),
    ("Himitsu", "秘密", "secret"),
    ("Kizuna", "絆", "bond"),
    ("Shōnen", "少年", "boy"),
    ("Gakkō", "学校", "school"),
    ("Jōō", "女王", "queen"),
    ("Ōji", "王子", "prince"),
    ("Kūki", "空気", "air"),
    ("Sekai", "世界", "world"),
    ("Kōkai", "後悔", "regret"),
    ("Shitto", "嫉妬", "jealousy"),
    ("Fukushū", "復讐", "vengeance"),
    ("Uragiri", "裏切り", "betrayal"),
    ("Kekkon", "結婚", "marriage"),
    ("Osananajimi", "幼馴染", "childhood"),
    ("Senpai", "先輩", "senior"),
    ("Kōhai", "後輩", "junior"),
    ("Natsu", "夏", "summer"),
    ("Fuyu", "冬", "winter"),
    ("Ame", "雨", "rain"),
    ("Yuki", "雪", "snow"),
    ("Kaze", "風", "wind"),
    ("Honō", "炎", "flame"),
    ("Mirai", "未来", "future"),
    ("Kako", "過去", "past"),
    ("Tōri", "通り", "avenue"),
    ("Rōka", "廊下", "corridor"),
    ("Kūhaku", "空白", "blank"),
)
HANGUL = ("사랑", "비밀", "약속", "눈물", "꽃", "달", "별", "하늘", "바다", "그림자", "복수", "결혼")
FULL_WIDTH = {ord(d): ord(d) + 0xFEE0 for d in "0123456789"}  # ASCII digits to full-width ones

COUNTRIES = (("JP", 68), ("KR", 18), ("CN", 9), ("TW", 3), ("US", 2))
STATUSES = (("finished", 45), ("releasing", 35), ("hiatus", 8), ("cancelled", 7), ("not-yet-released", 5))
RATINGS = (("all-ages", 15), ("teen", 33), ("mature", 32), ("explicit", 10), ("unknown", 10))
FORMATS = {
    "KR": (("webtoon", 80), ("manga", 20)),
    "CN": (("webtoon", 40), ("manga", 60)),
    "other": (("manga", 70), ("light-novel", 15), ("one-shot", 8), ("webtoon", 7)),
}
CENTRALITY = (("none", 30), ("incidental", 25), ("major", 25), ("core", 20))
MULTI_COUNTS = {"subgenre": (1, 2), "rival": (1, 3), "consent": (1, 2)}


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


@dataclass(frozen=True)
class AxisInfo:
    pk: int
    values: tuple[tuple[int, str], ...]  # (value pk, value key)


def _axes() -> dict[str, AxisInfo]:
    from shuraba.taxonomy.models import profile_axes  # noqa: PLC0415 (after django.setup)

    return {
        axis.key: AxisInfo(axis.pk, tuple((v.pk, v.key) for v in axis.values.order_by("order")))
        for axis in profile_axes().prefetch_related("values")
    }


def tags_create(*, count: int, category: TagCategory) -> None:
    Tag.objects.bulk_create(
        Tag(
            slug=f"synthetic-tag-{n:04d}",
            name=f"Synthetic Tag {n:04d}",
            category=category,
            definition="A made-up tag of the search benchmark.",
        )
        for n in range(1, count + 1)
    )


def _vowels_long(text: str, rng: random.Random) -> str:
    """The same name with its long vowels written out (ō as ou or oo, ū as uu), as readers type them."""
    o = "ou" if rng.random() < 0.6 else "oo"
    return text.replace("Ō", o.capitalize()).replace("ō", o).replace("ū", "uu").replace("Ū", "Uu")


def _names(i: int, country: str, rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    (r1, n1, e1), (r2, n2, e2) = rng.sample(WORDS, 2)
    title = f"Synthetic Title {i:06d} {r1}"
    romaji = f"Gōsei {r1} no {r2} {i:06d}"
    names = [("romaji", romaji)]
    if rng.random() < 0.7:
        names.append(("english", f"Synthetic {e1.title()} of the {e2.title()} {i:06d}"))
    if rng.random() < 0.8:
        digits = str(i).translate(FULL_WIDTH) if rng.random() < 0.25 else str(i)
        native = (
            f"합성 {rng.choice(HANGUL)} {rng.choice(HANGUL)} {digits}" if country == "KR" else f"合成{n1}の{n2}{digits}"
        )
        names.append(("native", native))
    if rng.random() < 0.3:
        names.append(("synonym", _vowels_long(romaji, rng)))
    return title, names


def _date(rng: random.Random) -> dt.date | None:
    if rng.random() < 0.03:
        return None
    year = max(1950, 2025 - int(rng.expovariate(1 / 12)))
    return dt.date(year, rng.randint(1, 12), rng.randint(1, 28))


def _title(i: int, rng: random.Random) -> tuple[Title, list[tuple[str, str]]]:
    country = _pick(rng, COUNTRIES)
    fmt = _pick(rng, FORMATS.get(country, FORMATS["other"]))
    status = _pick(rng, STATUSES)
    start = _date(rng)
    chapters = 1 if fmt == "one-shot" else (None if rng.random() < 0.1 else int(rng.lognormvariate(3.3, 1.0)) + 1)
    title, names = _names(i, country, rng)
    row = Title(
        pk=i,
        slug=f"synthetic-title-{i:06d}",
        title=title,
        format=fmt,
        status=status,
        country=country,
        start_date=start,
        end_date=start + dt.timedelta(days=rng.randint(30, 3000)) if start and status == "finished" else None,
        chapters=chapters,
        content_rating=_pick(rng, RATINGS),
        score=None if rng.random() < 0.06 else min(100, max(0, int(rng.gauss(68, 11)))),
        popularity=min(3_000_000, int(200 * rng.paretovariate(1.1)) - 200 + rng.randint(0, 50)),
        is_fictional=True,
    )
    return row, names


def _profile(pk: int, axes: dict[str, AxisInfo], rng: random.Random) -> Iterator[TitleAxisValue]:
    """Every profile axis: a title involving infidelity gets most of them, others a few."""
    chosen: dict[str, list[tuple[int, str]]] = {}
    centrality = _pick(rng, CENTRALITY) if rng.random() < 0.9 else None
    if centrality is not None:
        chosen["centrality"] = [v for v in axes["centrality"].values if v[1] == centrality]
    ntr = centrality not in (None, "none")
    for key, info in axes.items():
        if key == "centrality" or rng.random() >= (0.9 if ntr else 0.0 if key == "subgenre" else 0.4):
            continue
        low, high = MULTI_COUNTS.get(key, (1, 1))
        chosen[key] = rng.sample(info.values, rng.randint(low, high))
    for key, values in chosen.items():
        for order, (value_pk, _) in enumerate(values):
            weight = 1.0 if key != "subgenre" or order == 0 else round(rng.uniform(0.2, 0.9), 1)
            yield TitleAxisValue(title_id=pk, axis_id=axes[key].pk, value_id=value_pk, weight=weight, source=SOURCE)


def _tag_weights(count: int, rng: np.random.Generator) -> np.ndarray:
    """Zipf-like popularity over every tag; which tag gets which rank is itself seeded."""
    ranks = rng.permutation(count)
    weights = 1.0 / (ranks + ZIPF_OFFSET) ** ZIPF_EXPONENT
    return weights / weights.sum()


def _tag_rows(pk: int, draws: np.ndarray, tags: list[tuple[int, str]], rng: random.Random) -> Iterator[TitleTag]:
    keep = rng.randint(*TAGS_PER_TITLE)
    for position in list(dict.fromkeys(draws.tolist()))[:keep]:
        tag_pk, severity = tags[position]
        roll = rng.random()
        spoiler = "major" if roll < 0.02 else "minor" if roll < 0.06 else "none"
        yield TitleTag(
            title_id=pk, tag_id=tag_pk, relevance=rng.randint(0, 100), spoiler=spoiler, severity=severity, source=SOURCE
        )


def _chunk(
    first: int, last: int, *, axes: dict[str, AxisInfo], tags: list[tuple[int, str]], p: np.ndarray, seed: int
) -> None:
    # One stream per chunk of CHUNK titles: the same seed gives the same rows.
    rng = random.Random(f"{seed}:{first}")  # noqa: S311 (reproducible data, not a secret)
    draws = np.random.default_rng([seed, first]).choice(len(tags), size=(last - first + 1, DRAWS_PER_TITLE), p=p)
    titles, alts, values, assignments = [], [], [], []
    for offset, i in enumerate(range(first, last + 1)):
        title, names = _title(i, rng)
        titles.append(title)
        alts += [AltTitle(title_id=i, kind=kind, text=text) for kind, text in names]
        values += _profile(i, axes, rng)
        assignments += _tag_rows(i, draws[offset], tags, rng)
    Title.objects.bulk_create(titles, batch_size=2000)
    AltTitle.objects.bulk_create(alts, batch_size=2000)
    TitleAxisValue.objects.bulk_create(values, batch_size=2000)
    TitleTag.objects.bulk_create(assignments, batch_size=2000)


def generate(*, titles: int, extra_tags: int, seed: int, category: TagCategory) -> None:
    tags_create(count=extra_tags, category=category)
    tags = [
        (pk, default or ("moderate" if key == WARNING_CATEGORY else ""))
        for pk, key, default in Tag.objects.order_by("slug").values_list("pk", "category__key", "default_severity")
    ]
    p = _tag_weights(len(tags), np.random.default_rng(seed))
    axes = _axes()
    missing = {"centrality", "intensity", "subgenre", "ending", "revelation"} - set(axes)
    if missing or Axis.objects.count() < len(axes):
        raise SystemExit(f"taxonomy lacks profile axes {sorted(missing)}")
    for first in range(1, titles + 1, CHUNK):
        _chunk(first, min(titles, first + CHUNK - 1), axes=axes, tags=tags, p=p, seed=seed)
        done = min(titles, first + CHUNK - 1)
        if done % 50_000 < CHUNK or done == titles:
            print(f"  {done:,} / {titles:,} titles", flush=True)

"""The fixed query mix: 100+ queries in the one-line text syntax, parsed with query_parse.

The shapes are fixed; which tags and words fill them is drawn (seeded) from the database at hand by
popularity rank, so the same mix reads sensibly on the real 4,045 titles and on 200k synthetic ones:
"the most used tag", "a median tag", "a word from a mid-popularity title". Each case names its shape
(`shape`), which is what the per-shape timings group by. `tantivy=True` marks the cases tantivy can
express too (tags in and out, term filters, numeric ranges, whole-word text; no minimum relevance).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from typing import NamedTuple

from common import SEED
from django.db.models import Count

from shuraba.accounts.policies import Viewer, Visibility, visibility_of
from shuraba.catalog.models import AltTitle, Title
from shuraba.search.normalize import text_normalize
from shuraba.search.query import SearchQuery
from shuraba.search.syntax import query_parse
from shuraba.search.vocab import vocabulary
from shuraba.taxonomy.models import Tag

VIEWERS = {
    "anon": visibility_of(Viewer()),
    "adult": visibility_of(Viewer(is_adult=True)),
    "adult+spoilers": visibility_of(Viewer(is_adult=True, spoilers="all")),
}
LAST = -1  # page: the last page of the result


@dataclass(frozen=True)
class Case:
    name: str
    shape: str
    text: str
    query: SearchQuery
    viewer: str = "anon"
    tantivy: bool = False

    @property
    def who(self) -> Visibility:
        return VIEWERS[self.viewer]


@dataclass
class _Picks:
    """Tags by popularity rank (most used first) and words from names, all drawn with one seed."""

    tags: list[str]
    rng: random.Random

    def top(self, n: int = 0) -> str:
        return self.tags[min(n, len(self.tags) - 1)]

    def head(self) -> str:
        return self.tags[self.rng.randrange(5, max(6, len(self.tags) // 40))]

    def mid(self) -> str:
        middle = len(self.tags) // 2
        return self.tags[self.rng.randrange(middle - len(self.tags) // 10, middle + len(self.tags) // 10)]

    def tail(self) -> str:
        return self.tags[self.rng.randrange(len(self.tags) - len(self.tags) // 10, len(self.tags))]

    def distinct(self, pick: str, n: int) -> list[str]:
        chosen: dict[str, None] = {}
        while len(chosen) < n:
            chosen[getattr(self, pick)()] = None
        return list(chosen)


def _tags_by_use() -> list[str]:
    counted = Tag.objects.annotate(n=Count("title_tags")).filter(n__gt=0).order_by("-n", "slug")
    return list(counted.values_list("slug", flat=True))


def _usual(word: str, corpus: list[str]) -> bool:
    """Does the word occur in most names (the synthetic catalog's shared prefixes)? Those are for
    the text-everything shape; the other text shapes want words a reader would look for."""
    folded = text_normalize(word)
    return sum(folded in text_normalize(name) for name in corpus) > len(corpus) // 4


def _words(rng: random.Random) -> dict[str, str]:
    """Words to type, taken from the catalog's own names (mid-popularity titles, seeded)."""
    total = Title.objects.count()
    mid = list(Title.objects.order_by("-popularity", "pk").values_list("pk", flat=True)[total // 3 : total // 3 + 400])
    names = list(AltTitle.objects.filter(title_id__in=mid).order_by("pk").values_list("kind", "text"))
    titles = list(Title.objects.filter(pk__in=mid).order_by("pk").values_list("title", flat=True))
    corpus = [t for _, t in names] + titles
    romaji = [w for kind, t in names if kind == "romaji" for w in t.split() if len(w) >= 4 and w.isalpha()]
    romaji = [w for w in dict.fromkeys(romaji) if not _usual(w, corpus)]
    english = [t for kind, t in names if kind == "english" and len(t.split()) >= 3]
    native = [t for kind, t in names if kind == "native"]
    native_pairs = [n[i : i + 2] for n in native for i in range(len(n) - 1) if n[i : i + 2].isalpha()]
    native_pairs = [w for w in dict.fromkeys(native_pairs) if not _usual(w, corpus)]
    long_vowel = [w for w in romaji if re.search("[ōū]", w)]
    word = rng.choice(romaji) if romaji else "koi"
    prefix = rng.choice(titles)
    return {
        "romaji": word,
        "long": (rng.choice(long_vowel) if long_vowel else "Kōri").replace("ō", "ou").replace("ū", "uu"),
        "macron": rng.choice(long_vowel) if long_vowel else "Shōjo",
        "native": rng.choice(native_pairs) if native_pairs else "恋",
        "english": " ".join(rng.choice(english).split()[1:3]) if english else "of the",
        "exact": rng.choice(titles),
        "prefix": prefix[: max(4, len(prefix) - 3)],
        "fullwidth": word.upper().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}),
    }


def _q(text: str) -> str:
    return 'q:"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _every_word(total: int) -> str:
    """The most common word of titles: the worst case for text (it matches nearly everything)."""
    sample = Title.objects.order_by("pk").values_list("title", flat=True)[: min(total, 2000)]
    counts: dict[str, int] = {}
    for title in sample:
        for word in set(text_normalize(title).split()):
            if len(word) >= 3 and word.isalpha():
                counts[word] = counts.get(word, 0) + 1
    return max(sorted(counts), key=lambda w: counts[w]) if counts else "the"


class Spec(NamedTuple):
    shape: str
    text: str
    page: int = 1
    per_page: int = 24
    viewer: str = "anon"
    tantivy: bool = True


def _tag_specs(p: _Picks) -> list[Spec]:
    t, h, m = p.top, p.head, p.mid
    specs = [Spec("empty", ""), Spec("empty", "", viewer="adult"), Spec("empty", "", viewer="adult+spoilers")]
    specs += [Spec("tag-top", t(i)) for i in range(3)]
    specs += [Spec(f"tag-{pick}", tag) for pick in ("head", "mid", "tail") for tag in p.distinct(pick, 3)]
    specs += [Spec("tags-all-2", f"{t()} {h()}"), Spec("tags-all-2", f"{h()} {m()}")]
    specs += [Spec("tags-all-3", " ".join(p.distinct("head", 3)))]
    specs += [Spec("tags-all-5", " ".join([t(0), t(1), *p.distinct("head", 3)]))]
    for shape, pick, n in (("3", "mid", 3), ("3", "head", 3), ("10", "mid", 10), ("25", "tail", 25)):
        specs.append(Spec(f"tags-any-{shape}", " ".join(p.distinct(pick, n)) + " include_mode:any"))
    specs += [Spec("exclude-1", f"-{t()}"), Spec("exclude-1", f"-{m()}")]
    specs += [Spec("exclude-any-3", " ".join(f"-{x}" for x in p.distinct("head", 3)))]
    specs += [Spec("exclude-any-10", " ".join(f"-{x}" for x in p.distinct("mid", 10)))]
    specs += [Spec("exclude-all-3", " ".join(f"-{x}" for x in (t(0), t(1), t(2))) + " exclude_mode:all")]
    specs += [Spec("include+exclude", f"{t()} -{h()}"), Spec("include+exclude", f"{h()} -{t(1)} -{m()}")]
    specs += [Spec("min-relevance", f"{t()} min_relevance:60", tantivy=False)]
    specs += [Spec("min-relevance", f"{h()} {t(1)} min_relevance:80", tantivy=False)]
    any4 = " ".join(p.distinct("mid", 4))
    return [*specs, Spec("min-relevance", f"{any4} include_mode:any min_relevance:50", tantivy=False)]


def _axis_specs(value: dict[str, str]) -> list[Spec]:
    specs = [
        Spec(f"axis-{d}", f"{d}:{value[d]}")
        for d in ("subgenre", "perspective", "relationship", "rival", "drift", "consent", "depth")
    ]
    specs += [
        Spec("axis-spoiler", f"ending:{value['ending']}"),
        Spec("axis-spoiler", f"revelation:{value['revelation']}"),
    ]
    specs += [Spec("axis-spoiler", f"ending:!{value['ending']} revelation:!never", viewer="adult+spoilers")]
    specs += [Spec("axis-multi", "subgenre:netorare,revenge rival:friend,ex-partner")]
    specs += [Spec("axis-negate", "consent:!non-consent,!coercion")]
    specs += [Spec("axis-range", text) for text in ("centrality:major..", "centrality:core", "intensity:<=3")]
    specs += [Spec("axis-range", "intensity:4..5")]
    fields = ("content_rating:teen,mature", "status:finished", "status:!releasing", "format:webtoon", "country:KR")
    specs += [Spec("field", text) for text in (*fields, "country:!JP", "length:long", "length:one-shot,short")]
    specs += [Spec("field", "content_rating:explicit,unknown", viewer="adult")]
    specs += [Spec("range-year", text) for text in ("year:2015..", "year:1990..1999", "year:2020")]
    specs += [Spec("range-score", text) for text in ("score:>=80", "score:50..60")]
    return specs + [
        Spec("range-popularity", text) for text in ("popularity:>=1000", "popularity:..100", "popularity:100..10000")
    ]


def _text_specs(p: _Picks, words: dict[str, str], every: str) -> list[Spec]:
    specs = [Spec("text-word", _q(words["romaji"])), Spec("text-long-vowel", _q(words["long"]))]
    specs += [Spec("text-long-vowel", _q(words["macron"])), Spec("text-native", _q(words["native"]), tantivy=False)]
    specs += [Spec("text-hangul", 'q:"사랑"', tantivy=False), Spec("text-phrase", _q(words["english"]))]
    specs += [Spec("text-exact", _q(words["exact"])), Spec("text-prefix", _q(words["prefix"]), tantivy=False)]
    specs += [Spec("text-fullwidth", _q(words["fullwidth"]), tantivy=False), Spec("text-miss", 'q:"zzqxv"')]
    specs += [Spec("text-everything", f"q:{every}"), Spec("text+tag", f"{p.top()} {_q(words['romaji'])}")]
    return [*specs, Spec("text+filters", f"{_q(words['macron'])} status:finished year:2000.. sort:score")]


def _page_specs(p: _Picks, words: dict[str, str]) -> list[Spec]:
    t, h, m = p.top, p.head, p.mid
    specs = []
    for sort in ("relevance", "score", "popularity", "year", "title"):
        specs += [Spec(f"sort-{sort}-all", f"sort:{sort}", tantivy=sort != "title")]
        specs += [Spec(f"sort-{sort}-tag", f"{t(1)} sort:{sort}", tantivy=sort != "title")]
    specs += [Spec("deep-page", "", LAST), Spec("deep-page", "sort:title", LAST, tantivy=False)]
    specs += [Spec("deep-page", f"{t()} sort:score", LAST, 100), Spec("deep-page", "sort:year", 50, 100)]
    specs += [Spec("per-page-100", f"{h()} sort:popularity", per_page=100)]
    specs += [Spec("contradiction", f"{t()} -{t()}"), Spec("contradiction", "year:2020..2010")]
    specs += [Spec("contradiction", "status:finished,!finished"), Spec("contradiction", "content_rating:explicit")]
    specs += [Spec("empty-result", " ".join(p.distinct("tail", 4)))]
    specs += [
        Spec("combo", f"{t()} {h()} -{m()} subgenre:netorare ending:!tragedy intensity:<=3 year:2015.. sort:score")
    ]
    specs += [Spec("combo", f"{m()} {m()} include_mode:any -{t()} country:JP status:finished")]
    specs += [Spec("combo", f"{h()} min_relevance:60 centrality:major.. perspective:betrayed", tantivy=False)]
    married = "relationship:married,engaged consent:!non-consent depth:psychological"
    specs += [Spec("combo", f"{married} -{h()} score:60..", viewer="adult")]
    combo = f"{h()} {_q(words['romaji'])} sort:year format:manga,webtoon"
    return [*specs, Spec("combo", combo, viewer="adult+spoilers")]


def _specs(p: _Picks, words: dict[str, str], every: str, values: dict[str, tuple[str, ...]]) -> list[Spec]:
    """Every case of the mix, in order. Read the four lists to know the mix."""
    value = {d: p.rng.choice(v) for d, v in values.items() if v}
    return [*_tag_specs(p), *_axis_specs(value), *_text_specs(p, words, every), *_page_specs(p, words)]


def cases_build() -> list[Case]:
    """The mix for the current database. Call after django_setup."""
    rng = random.Random(SEED)  # noqa: S311 (a reproducible mix, not a secret)
    picks = _Picks(_tags_by_use(), rng)
    vocab = vocabulary()
    specs = _specs(picks, _words(rng), _every_word(Title.objects.count()), vocab.values)
    cases = []
    for number, (shape, text, page, per_page, viewer, tantivy) in enumerate(specs, start=1):
        query = replace(query_parse(text, vocab), page=page, per_page=per_page)
        cases.append(Case(f"{number:03d}-{shape}", shape, text, query, viewer, tantivy and not query.min_relevance))
    return cases

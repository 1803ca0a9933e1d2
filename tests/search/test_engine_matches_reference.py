"""The in-memory engine and the SQL reference implementation agree on random catalogs and queries:
same ids in the same order, same totals, same facet counts (hypothesis)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuraba.accounts.policies import AGE_GATED_RATINGS, SPOILER_SETTINGS, Viewer, Visibility, visibility_of
from shuraba.catalog.models import AltTitle, Creator, Credit, Title, TitleAxisValue, TitleTag
from shuraba.core.changelog import changes_announce
from shuraba.search.engine import engine_search
from shuraba.search.live import search_index
from shuraba.search.query import SORTS, Range, SearchQuery, ValueFilter
from shuraba.search.reference import reference_search
from shuraba.taxonomy.models import AxisValue, Tag

TAGS = ("drama", "romance", "revenge", "infidelity", "childhood-friend", "office-romance")
DIMENSION_VALUES = {
    "subgenre": ("netorare", "netori", "netorase", "revenge"),
    "ending": ("tragedy", "reconciliation", "open"),
    "consent": ("mutual", "manipulation", "coercion"),
    "perspective": ("betrayed", "rival"),
    "content_rating": ("all-ages", "teen", "mature", "not-adult", "explicit", "unknown"),
    "status": ("releasing", "finished", "hiatus"),
    "format": ("manga", "one-shot", "webtoon"),
    "country": ("JP", "KR"),
    "length": ("one-shot", "short", "medium", "long"),
}
PROFILE = ("subgenre", "ending", "consent", "perspective")
NAME_PARTS = ("Ōkami", "ookami", "Kyou", "rain", "Rain Stops", "雨", "Café", "to", "no", "Sora", "Chainsaw-Man",
              "chainsawman", "Berserk", "Lucky☆Star", "Spice & Wolf", "countryside", "NTR", "Moon",
              "Ôoku", "Zebra")  # fmt: skip
# Creators a title may credit: their names are searched too (ranked below a title's own name).
CREATORS = {"c-kyo": ("Kyou Sora", "京 空"), "c-berserk": ("Rin Berserk", ""), "c-moon": ("Moon Sato", "月")}
TEXTS = ("", "", "okami", "rain", "ōkami ", "kyo", "雨", "cafe", "no", "zzz", "beserk", "chainsaw man", "chainsawman",
         "lucky star", "luckystar", "spice and wolf", "ntr", "ntry", "ookam", "rain stop", "sora no", "moon", "mon",
         "berserk sora", "Spice&Wolf", "止む")  # fmt: skip
SMALL = st.integers(min_value=0, max_value=6)

title_strategy = st.fixed_dictionaries(
    {
        "title": st.lists(st.sampled_from(NAME_PARTS), min_size=1, max_size=3).map(" ".join),
        "alt": st.lists(st.lists(st.sampled_from(NAME_PARTS), min_size=1, max_size=2).map(" ".join), max_size=2),
        "creators": st.sets(st.sampled_from(sorted(CREATORS)), max_size=2),
        "content_rating": st.sampled_from(DIMENSION_VALUES["content_rating"]),
        "status": st.sampled_from(DIMENSION_VALUES["status"]),
        "format": st.sampled_from(DIMENSION_VALUES["format"]),
        "country": st.sampled_from(("JP", "KR", "")),
        "year": st.none() | st.integers(min_value=2000, max_value=2004),
        "chapters": st.none() | st.sampled_from((1, 5, 20, 21, 80, 81)),
        "score": st.none() | st.integers(min_value=0, max_value=3).map(lambda s: s * 30),
        "popularity": st.sampled_from((0, 1, 7, 8, 1000, 1023, 1024, 50000)),
        "tags": st.dictionaries(
            st.sampled_from(TAGS),
            st.tuples(st.integers(0, 100).map(lambda r: r // 20 * 20), st.sampled_from(("none", "minor", "major"))),
            max_size=4,
        ),
        "profile": st.fixed_dictionaries(
            {d: st.sets(st.sampled_from(DIMENSION_VALUES[d]), max_size=2) for d in PROFILE}
        ),
        "weight": st.sampled_from((0.25, 0.5, 1.0)),  # every subgenre of the title at this weight
        "centrality": st.none() | st.sampled_from(("none", "incidental", "major", "core")),
        "intensity": st.none() | st.sampled_from(("1", "3", "5")),
    }
)
titles_strategy = st.lists(title_strategy, max_size=14)


def _range(low: int, high: int) -> st.SearchStrategy[Range]:
    bound = st.none() | st.integers(min_value=low, max_value=high)
    return st.builds(Range, bound, bound).filter(bool)


def _query(  # noqa: PLR0917 (one positional argument per strategy, as st.builds passes them)
    include: list[str],
    include_mode: str,
    exclude: list[str],
    exclude_mode: str,
    min_relevance: int,
    values: dict[str, ValueFilter],
    ranges: dict[str, Range],
    q: str,
    sort: str,
    page: int,
    per_page: int,
    thresholds: tuple[list[int | None], list[float | None], float],
) -> SearchQuery:
    """A query; `thresholds`: own relevance thresholds for the first included tags (None: none), own weight
    thresholds for the included subgenres in key order, and min_weight."""
    tag_minimums = {slug: m for slug, m in zip(include, thresholds[0], strict=False) if m is not None}
    subgenres = sorted(values.get("subgenre", ValueFilter()).include)
    weights = {key: w for key, w in zip(subgenres, thresholds[1], strict=False) if w is not None}
    return SearchQuery.build(
        include_tags=tuple(include),
        include_mode=include_mode,  # type: ignore[arg-type]
        exclude_tags=tuple(exclude),
        exclude_mode=exclude_mode,  # type: ignore[arg-type]
        min_relevance=min_relevance,
        tag_minimums=tag_minimums,
        weight_minimums=weights,
        min_weight=thresholds[2],
        values=values,
        ranges=ranges,
        q=q,
        sort=sort,
        page=page,
        per_page=per_page,
    )


THRESHOLDS = st.tuples(
    st.lists(st.none() | st.sampled_from((0, 20, 60, 100)), max_size=2),
    st.lists(st.none() | st.sampled_from((0.0, 0.5, 1.0)), max_size=2),
    st.sampled_from((0.0, 0.0, 0.5, 1.0)),
)

query_strategy = st.builds(
    _query,
    st.lists(st.sampled_from(TAGS), max_size=2, unique=True),
    st.sampled_from(("all", "any")),
    st.lists(st.sampled_from(TAGS), max_size=2, unique=True),
    st.sampled_from(("any", "all")),
    st.sampled_from((0, 0, 40, 80)),
    st.lists(st.sampled_from((*DIMENSION_VALUES, "subgenre")), max_size=2, unique=True).flatmap(
        lambda dims: st.fixed_dictionaries(
            {
                d: st.builds(
                    ValueFilter,
                    st.frozensets(st.sampled_from(DIMENSION_VALUES[d]), max_size=2),
                    st.frozensets(st.sampled_from(DIMENSION_VALUES[d]), max_size=2),
                )
                for d in dims
            }
        )
    ),
    st.dictionaries(
        st.sampled_from(("centrality", "intensity", "year", "score", "popularity")),
        _range(0, 5) | _range(2000, 2004) | _range(0, 100) | _range(0, 2000),
        max_size=2,
    ),
    st.sampled_from(TEXTS),
    st.sampled_from(SORTS),
    st.integers(min_value=1, max_value=3),
    st.integers(min_value=1, max_value=5),
    THRESHOLDS,
)


# Queries that leave a result to count over: "or" groups with something ticked, exclusions, thresholds, and
# no title text or ranges (random ones mostly empty the result, and a count over nothing checks little).
facet_query_strategy = st.builds(
    _query,
    st.lists(st.sampled_from(TAGS), max_size=2, unique=True),
    st.sampled_from(("all", "any", "any")),
    st.lists(st.sampled_from(TAGS), max_size=1, unique=True),
    st.just("any"),
    st.sampled_from((0, 0, 40, 80)),
    st.lists(st.sampled_from(("subgenre", "subgenre", *DIMENSION_VALUES)), min_size=1, max_size=2, unique=True).flatmap(
        lambda dims: st.fixed_dictionaries(
            {
                d: st.builds(
                    ValueFilter,
                    st.frozensets(st.sampled_from(DIMENSION_VALUES[d]), min_size=1, max_size=2),
                    st.frozensets(st.sampled_from(DIMENSION_VALUES[d]), max_size=1),
                )
                for d in dims
            }
        )
    ),
    st.just({}),
    st.just(""),
    st.just("relevance"),
    st.just(1),
    st.just(5),
    THRESHOLDS,
)


def _catalog_replace(specs: list[dict[str, object]]) -> None:
    """Replace every title with the generated ones, announcing each change as the services do."""
    gone = list(Title.objects.values_list("pk", flat=True))
    Title.objects.all().delete()
    values = {(v.axis.key, v.key): v for v in AxisValue.objects.select_related("axis")}
    tags = {t.slug: t for t in Tag.objects.filter(slug__in=TAGS)}
    creators = {
        slug: Creator.objects.get_or_create(slug=slug, defaults={"name": name, "native_name": native})[0]
        for slug, (name, native) in CREATORS.items()
    }
    created = []
    for index, spec in enumerate(specs):
        year = spec["year"]
        title = Title.objects.create(
            slug=f"t{index}",
            title=spec["title"],
            content_rating=spec["content_rating"],
            status=spec["status"],
            format=spec["format"],
            country=spec["country"],
            chapters=spec["chapters"],
            score=spec["score"],
            popularity=spec["popularity"],
            start_date=dt.date(year, 1 + index % 12, 1) if year else None,
        )
        AltTitle.objects.bulk_create(AltTitle(title=title, kind="synonym", text=t) for t in set(spec["alt"]))  # type: ignore[call-overload]
        Credit.objects.bulk_create(Credit(title=title, creator=creators[c], role="story") for c in spec["creators"])  # type: ignore[attr-defined]
        TitleTag.objects.bulk_create(
            TitleTag(title=title, tag=tags[slug], relevance=rel, spoiler=spoiler)
            for slug, (rel, spoiler) in spec["tags"].items()  # type: ignore[attr-defined]
        )
        chosen = [(d, v) for d, vs in spec["profile"].items() for v in vs]  # type: ignore[attr-defined]
        chosen += [(axis, spec[axis]) for axis in ("centrality", "intensity") if spec[axis]]
        TitleAxisValue.objects.bulk_create(
            TitleAxisValue(
                title=title,
                axis=values[key].axis,
                value=values[key],
                weight=spec["weight"] if key[0] == "subgenre" else 1,
            )
            for key in chosen
        )
        created.append(title.pk)
    changes_announce(title_ids=[*gone, *created])


# Any visibility the policy can express: every spoiler level, the age gate on or off, and hidden-rating
# sets the viewer classes of today do not make (so the engine cannot lean on knowing which ones exist).
visibilities = st.builds(
    Visibility,
    hidden_ratings=st.sampled_from((frozenset(), AGE_GATED_RATINGS, AGE_GATED_RATINGS | {"teen"})),
    spoilers=st.sampled_from(SPOILER_SETTINGS),
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    specs=titles_strategy,
    queries=st.lists(query_strategy | facet_query_strategy, min_size=1, max_size=4),
    visibility=visibilities,
)
def test_engine_and_sql_reference_agree(
    db: None, specs: list[dict[str, object]], queries: list[SearchQuery], visibility: Visibility
) -> None:
    with transaction.atomic():  # a savepoint: a failing example leaves the transaction usable for shrinking
        _catalog_replace(specs)
        viewer = visibility
        index = search_index()
        for query in queries:
            fast, slow = engine_search(index, query, viewer), reference_search(query, viewer)
            assert fast.total == slow.total, query
            assert fast.pks == slow.pks, query
            assert fast.facets == slow.facets, query
            assert fast.removes == slow.removes, query


def test_engine_and_reference_agree_on_the_sample_catalog(db: None) -> None:
    index = search_index()
    assert index.size >= 60
    for query in (SearchQuery(), SearchQuery(sort="title", per_page=100), SearchQuery(q="a", per_page=100)):
        for viewer in (visibility_of(Viewer()), visibility_of(Viewer(is_adult=True, spoilers="all"))):
            fast, slow = engine_search(index, query, viewer), reference_search(query, viewer)
            assert (fast.pks, fast.total, fast.facets, fast.removes) == (
                slow.pks,
                slow.total,
                slow.facets,
                slow.removes,
            )

"""Tag counts by one intersection per tag (engine._tag_numbers past `tag_scan_per_tag` members a tag, the
path of large results at 200k titles) agree with the bincount of tag rows and with the SQL reference."""

from __future__ import annotations

from shuraba.accounts.policies import Viewer, visibility_of
from shuraba.search.build import index_build
from shuraba.search.engine import engine_search
from shuraba.search.query import SearchQuery
from shuraba.search.reference import reference_search
from shuraba.taxonomy.models import Tag


def test_tag_counts_by_intersection_match_the_bincount_and_the_reference(db: None) -> None:
    scanned, binned = index_build(), index_build()
    scanned.tag_scan_per_tag = 0  # every count takes the intersections
    binned.tag_scan_per_tag = 10**9  # every count takes the bincount
    slugs = list(Tag.objects.order_by("slug").values_list("slug", flat=True)[:4])
    queries = [
        SearchQuery(),
        SearchQuery(min_relevance=60),
        SearchQuery(include_tags=tuple(slugs[:2]), include_mode="any", min_relevance=40),
        SearchQuery(exclude_tags=(slugs[0],)),
        SearchQuery(q="a"),
    ]
    viewers = (Viewer(), Viewer(is_adult=True), Viewer(is_adult=True, spoilers="all"), Viewer(spoilers="minor"))
    for viewer in map(visibility_of, viewers):
        for query in queries:
            got = engine_search(scanned, query, viewer)
            assert got.facets["tags"], query
            assert got.facets == engine_search(binned, query, viewer).facets, (query, viewer)
            assert got == reference_search(query, viewer), (query, viewer)

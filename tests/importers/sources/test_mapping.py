from __future__ import annotations

import pytest

from shuraba.importers.mapping import Evidence, MappedRecord, MappedTag, record_map
from shuraba.importers.records import SourceRecord, SourceTag
from shuraba.importers.sources import anilist, jikan, mangadex, mangaupdates

from .support import payload, records


@pytest.fixture(scope="module")
def anilist_records() -> dict[str, SourceRecord]:
    rows = [*anilist.ADAPTER.parse_page(payload("anilist", "page_1.json"), where="p1")]
    rows += anilist.ADAPTER.parse_page(payload("anilist", "page_2.json"), where="p2")
    return records(rows)


def tags_of(mapped: MappedRecord) -> dict[str, MappedTag]:
    return {t.slug: t for t in mapped.tags}


def evidence_of(mapped: MappedRecord) -> dict[tuple[str, str], Evidence]:
    return {(e.axis, e.value): e for e in mapped.evidence}


def record(source: str, *tags: SourceTag, is_adult: bool | None = None) -> SourceRecord:
    return SourceRecord(source=source, source_id="1", title="Example", tags=tags, is_adult=is_adult)


def test_netorare_rank_becomes_subgenre_evidence_centrality_and_the_infidelity_warning(
    anilist_records: dict[str, SourceRecord],
) -> None:
    mapped = record_map(anilist_records["9000001"])
    evidence = evidence_of(mapped)
    assert evidence[("subgenre", "netorare")] == Evidence("subgenre", "netorare", 0.88, "AniList tag Netorare rank 88")
    assert evidence[("centrality", "core")].weight == 0.88
    assert ("centrality", "major") in evidence  # Cheating 74 says major; both stay for classification to weigh
    assert evidence[("perspective", "betrayed")].weight == 0.44
    infidelity = tags_of(mapped)["infidelity"]
    assert (infidelity.relevance, infidelity.spoiler, infidelity.severity) == (88, "none", "moderate")
    assert infidelity.reason == "AniList tag Netorare rank 88; AniList tag Cheating rank 74"


def test_spoiler_flag_becomes_a_major_spoiler_and_warnings_take_their_default_severity(
    anilist_records: dict[str, SourceRecord],
) -> None:
    tags = tags_of(record_map(anilist_records["9000005"]))
    assert (tags["infidelity"].spoiler, tags["infidelity"].relevance) == ("major", 92)
    assert (tags["sexual-violence"].severity, tags["sexual-violence"].spoiler) == ("graphic", "major")
    assert (tags["revenge"].spoiler, tags["revenge"].severity) == ("none", "")


def test_revenge_is_subgenre_evidence_only_next_to_an_ntr_tag(anilist_records: dict[str, SourceRecord]) -> None:
    with_cheating = evidence_of(record_map(anilist_records["9000005"]))
    assert with_cheating[("subgenre", "revenge")].reason == "AniList tag Revenge rank 84 with Cheating"
    alone = record("anilist", SourceTag("Revenge", rank=90))
    assert ("subgenre", "revenge") not in evidence_of(record_map(alone))
    assert tags_of(record_map(alone))["revenge"].relevance == 90


def test_tags_below_every_threshold_are_reported_as_unmapped(anilist_records: dict[str, SourceRecord]) -> None:
    mapped = record_map(anilist_records["9000005"])
    assert mapped.unmapped == ("AniList tag Netorare rank 15 (below every alias threshold)",)
    assert "netorare" not in {e.value for e in mapped.evidence}


def test_netorase_is_not_infidelity(anilist_records: dict[str, SourceRecord]) -> None:
    mapped = record_map(anilist_records["9000003"])
    assert "infidelity" not in tags_of(mapped)
    assert {"open-relationship", "sexual-content", "polyamory"} <= set(tags_of(mapped))
    assert evidence_of(mapped)[("subgenre", "netorase")].weight == 0.76


def test_relationship_drama_without_ntr_gets_no_subgenre_or_centrality(
    anilist_records: dict[str, SourceRecord],
) -> None:
    mapped = record_map(anilist_records["9000004"])
    axes = {e.axis for e in mapped.evidence}
    assert axes == {"relationship", "content-rating"}
    assert evidence_of(mapped)[("content-rating", "mature")] == Evidence(
        "content-rating", "mature", 0.3, "AniList adult flag false"
    )
    assert tags_of(mapped)["tragedy"].spoiler == "major"
    assert tags_of(mapped)["drama"] == MappedTag("drama", 50, "none", "", "AniList genre Drama")


def test_unaliased_tags_are_listed_for_review() -> None:
    mapped = record_map(record("anilist", SourceTag("Seinen", rank=97), SourceTag("Mecha", kind="genre")))
    assert mapped.tags == ()
    assert mapped.unmapped == ("AniList tag Seinen rank 97", "AniList genre Mecha")


@pytest.mark.parametrize(
    ("rating", "value", "weight"),
    [
        ("safe", "all-ages", 0.8),
        ("suggestive", "teen", 0.8),
        ("erotica", "mature", 0.8),
        ("pornographic", "explicit", 1.0),
    ],
)
def test_mangadex_content_rating_is_content_rating_evidence(rating: str, value: str, weight: float) -> None:
    mapped = record_map(record("mangadex", SourceTag(rating, kind="content-rating")))
    assert evidence_of(mapped)[("content-rating", value)] == Evidence(
        "content-rating", value, weight, f"MangaDex content rating {rating}"
    )


def test_adult_genres_of_every_source_point_at_explicit() -> None:
    for source, tag in [
        ("anilist", SourceTag("Hentai", kind="genre", adult=True)),
        ("mangaupdates", SourceTag("Hentai", kind="genre")),
        ("mal", SourceTag("Erotica", kind="genre", adult=True)),
    ]:
        assert ("content-rating", "explicit") in evidence_of(record_map(record(source, tag))), source


def test_mangaupdates_categories_match_case_insensitively_and_use_the_vote_rank() -> None:
    mapped = record_map(record("mangaupdates", SourceTag("netorare", rank=80, kind="category")))
    evidence = evidence_of(mapped)
    assert evidence[("subgenre", "netorare")].weight == 0.64
    assert evidence[("centrality", "core")].weight == 0.56
    assert tags_of(mapped)["infidelity"].reason == "MangaUpdates category netorare rank 80"


def test_merged_tag_keeps_the_least_hidden_spoiler_and_the_highest_relevance() -> None:
    mapped = record_map(
        record("anilist", SourceTag("Netorare", rank=90, spoiler=True), SourceTag("Cheating", rank=40, spoiler=False))
    )
    infidelity = tags_of(mapped)["infidelity"]
    assert (infidelity.relevance, infidelity.spoiler) == (90, "none")


def test_one_work_seen_by_four_sources_maps_to_consistent_evidence() -> None:
    seen = {
        "anilist": anilist.ADAPTER.parse_page(payload("anilist", "page_1.json"), where="a")[0],
        "mangadex": mangadex.ADAPTER.parse_page(payload("mangadex", "manga_entity_a.json"), where="d")[0],
        "mangaupdates": mangaupdates.ADAPTER.parse_page(payload("mangaupdates", "series_zzexampla.json"), where="u")[0],
        "mal": jikan.ADAPTER.parse_page(payload("jikan", "manga_9100001.json"), where="j")[0],
    }
    mapped = {source: record_map(r) for source, r in seen.items() if isinstance(r, SourceRecord)}
    assert len(mapped) == 4
    for source, m in mapped.items():
        assert ("content-rating", "explicit") in evidence_of(m), source
        assert {"drama", "sexual-content"} <= set(tags_of(m)), source
    for source in ("anilist", "mangaupdates"):
        assert ("subgenre", "netorare") in evidence_of(mapped[source]), source
        assert "infidelity" in tags_of(mapped[source]), source
    assert evidence_of(mapped["mangaupdates"])[("relationship", "married")].reason == (
        "MangaUpdates category Married Couple rank 57"
    )
    assert "MangaUpdates category Glasses-Wearing Female Lead rank 40" in mapped["mangaupdates"].unmapped

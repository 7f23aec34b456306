"""Labels already written into the photos come back: a scan into an index that holds
no word of the user's about a photo takes the `Landmarks|<name>` keyword as its
accepted label, and a relabel replaces that keyword even with no write journalled."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from PIL import Image

from app.core.index import PhotoIndex, Prediction
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.keywords import KeywordFields, revert_fields
from app.core.metadata.read_back import landmark_of
from app.core.metadata.sidecar import fields_of_sidecar, render_sidecar
from app.core.scanner import scan
from tests.test_metadata_support import make_jpeg, with_iptc_block


def _keyworded_jpeg(path: Path, subject: list[str], hierarchical: list[str], seed: int = 0) -> Path:
    make_jpeg(path, seed=seed)
    path.write_bytes(apply_fields(path.read_bytes(), KeywordFields(subject, hierarchical, subject, subject)))
    return path


def _by_name(index: PhotoIndex) -> dict[str, tuple]:
    return {Path(p.path).name: (p.label, p.source, p.state) for p in index.search("")}


def test_a_new_index_takes_the_landmarks_written_into_the_photos(tmp_path: Path) -> None:
    folder = tmp_path / "Provence"
    folder.mkdir()
    _keyworded_jpeg(folder / "DSC_0001.JPG", ["holiday", "Pont du Gard"], ["Trips|2020", "Landmarks|Pont du Gard"])
    _keyworded_jpeg(folder / "DSC_0002.JPG", ["Paris"], ["Places|Paris"], seed=1)  # no landmark keyword
    Image.new("RGB", (80, 60), (30, 90, 160)).save(folder / "scan.png")
    (folder / "scan.png.xmp").write_bytes(render_sidecar(None, KeywordFields(["Château d'If"], ["Landmarks|Château d'If"])))
    make_jpeg(folder / "DSC_0003.JPG", seed=2)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        summary = scan(index, [folder])
        assert summary.labels_read == 2 and "2 labels read from the files" in summary.line()
        assert _by_name(index) == {
            "DSC_0001.JPG": ("Pont du Gard", "user", "accepted"),
            "DSC_0002.JPG": (None, None, "unlabelled"),
            "scan.png": ("Château d'If", "user", "accepted"),
            "DSC_0003.JPG": (None, None, "unlabelled"),
        }
        assert index.photo_ids('label:"pont du gard"') == [index.search("DSC_0001")[0].id]
        # the user's word in the index wins over the files; the model's suggestion does not
        first, third = index.search("DSC_0001")[0].id, index.search("DSC_0003")[0].id
        index.set_state([first], "rejected")
        index.set_predictions(third, "m", [Prediction("x", "Petra", 0.9)], threshold=0.5)
        _keyworded_jpeg(folder / "DSC_0001.JPG", ["Pont du Gard"], ["Landmarks|Pont du Gard"], seed=5)
        _keyworded_jpeg(folder / "DSC_0003.JPG", ["Arles"], ["Landmarks|Arènes d'Arles"], seed=2)
        assert scan(index, [folder]).labels_read == 1
        assert _by_name(index)["DSC_0001.JPG"] == ("Pont du Gard", "user", "rejected")
        assert _by_name(index)["DSC_0003.JPG"] == ("Arènes d'Arles", "user", "accepted")


def test_a_moved_photo_keeps_the_index_word_and_counts_no_label_read(tmp_path: Path) -> None:
    """A folder moved after a write: the photos' keywords are labels the index already
    holds (or has since replaced), so nothing is "read from the files" (it used to say
    "2 labels read from the files") and the user's word stays."""
    trip, moved = tmp_path / "trip", tmp_path / "2020" / "trip"
    trip.mkdir()
    _keyworded_jpeg(trip / "DSC_0001.JPG", ["Pont du Gard"], ["Landmarks|Pont du Gard"])
    _keyworded_jpeg(trip / "DSC_0002.JPG", ["Maison Carrée"], ["Landmarks|Maison Carrée"], seed=3)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert scan(index, [tmp_path]).labels_read == 2
        ids = {p.id for p in index.search("")}
        first = index.search("DSC_0001")[0].id
        index.set_label(first, "Arènes de Nîmes", source="user", state="accepted")  # the user's word since
        moved.parent.mkdir()
        trip.rename(moved)
        summary = scan(index, [tmp_path])
        assert (summary.moved, summary.new, summary.missing, summary.labels_read) == (2, 0, 0, 0)
        assert "read from the files" not in summary.line()
        assert {p.id for p in index.search("")} == ids
        assert _by_name(index) == {"DSC_0001.JPG": ("Arènes de Nîmes", "user", "accepted"),
                                   "DSC_0002.JPG": ("Maison Carrée", "user", "accepted")}


def test_a_relabel_replaces_the_landmark_keyword_found_in_the_file(tmp_path: Path) -> None:
    photo = _keyworded_jpeg(tmp_path / "DSC_0001.JPG", ["holiday", "Alhambra"], ["Landmarks|Alhambra"])
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [tmp_path])
        photo_id = index.search("")[0].id
        index.set_label(photo_id, "Generalife", source="user", state="accepted")
        plan = plan_writes(index)
        assert plan[0].previous_label == "Alhambra"
        assert write_labels(index, plan, WriteOptions()).written == 1
    fields = read_fields(photo.read_bytes())
    # the hierarchy held the keyword replaced alone: it starts from the plain keywords, as a new one
    assert fields.subject == ["holiday", "Generalife"] and fields.hierarchical == ["holiday", "Landmarks|Generalife"]


def test_only_a_one_level_printable_landmark_keyword_counts() -> None:
    assert landmark_of(["Trips|2020", "Landmarks|  Pont   du Gard "]) == "Pont du Gard"
    assert landmark_of(["Landmarks", "Landmarks|", "Landmarks|France|Paris", "landmarks|Petra"]) is None
    assert landmark_of(["Landmarks|Cha\u0302teau d'If"]) == "Ch\u00e2teau d'If"
    assert landmark_of(None) is None


# Labels holding Unicode format characters (category Cf), which `label` takes: a
# zero-width non-joiner (Persian spelling), an emoji ZWJ sequence, a right-to-left mark,
# a soft hyphen pasted from the web. (A zero-width space is dropped: see below.)
FORMAT_CHARACTER_LABELS = [
    "\u0645\u0633\u062c\u062f \u0634\u06cc\u062e \u0644\u0637\u0641\u200c\u0627\u0644\u0644\u0647",
    "emoji \U0001F468\u200d\U0001F469\u200d\U0001F467 family",
    "\u05d4\u05db\u05d5\u05ea\u05dc \u200f\u05d4\u05de\u05e2\u05e8\u05d1\u05d9",
    "Neu\u00adschwanstein",
]


@pytest.mark.parametrize("label", FORMAT_CHARACTER_LABELS)
def test_a_label_with_format_characters_reads_back(label: str) -> None:
    assert landmark_of([f"Landmarks|{label}"]) == label
    assert landmark_of([f"Landmarks|{label}\x7f"]) is None  # a control character: no label's


def test_a_keyword_with_a_zero_width_space_reads_back_without_it() -> None:
    """Pasted from a web page into another program: it is the label "Big Ben", not a
    second one that looks the same (label_form drops it, t_unicode-4)."""
    assert landmark_of(["Landmarks|Big\u200b Ben\ufeff"]) == "Big Ben"
    assert landmark_of(["Landmarks|Dome \u202eevil"]) is None  # a direction override: no label's


@pytest.mark.parametrize("label", [*FORMAT_CHARACTER_LABELS[:2], "Rome | Vittoriano", "AC|DC Tower"])
def test_a_label_with_a_joiner_or_a_bar_comes_back_to_a_new_index_and_is_replaced_there(tmp_path: Path,
                                                                                       label: str) -> None:
    """Written, read back by a new index (another computer, a lost index), and relabelled
    there: the new landmark replaces it (it stayed beside it, read back as nothing). A `|`
    is `/` in the hierarchy ("Landmarks|Rome / Vittoriano"): a new index took the spaces
    around it for part of the sign and read "Rome / Vittoriano", a second landmark."""
    from app.core.teaching import check_label

    assert check_label(label) == label  # what `label` takes
    photo = with_iptc_block(make_jpeg(tmp_path / "DSC_0001.JPG"))
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [tmp_path])
        index.set_label(index.search("")[0].id, label, source="user", state="accepted")
        assert write_labels(index, plan_writes(index), WriteOptions()).written == 1
    with PhotoIndex.open(tmp_path / "fresh.db") as fresh:
        assert scan(fresh, [tmp_path]).labels_read == 1
        assert _by_name(fresh)["DSC_0001.JPG"] == (label, "user", "accepted")
        fresh.set_label(fresh.search("")[0].id, "Naqsh-e Jahan Square", source="user", state="accepted")
        assert write_labels(fresh, plan_writes(fresh), WriteOptions()).written == 1
    fields = read_fields(photo.read_bytes())
    assert fields.hierarchical == ["Landmarks|Naqsh-e Jahan Square"]
    assert fields.subject == fields.iptc == ["Naqsh-e Jahan Square"]


def test_tagging_teaches_the_places_read_back_and_leaves_the_models_landmarks(tmp_path: Path, tiny_bundle) -> None:
    """A new index reads "Our cabin" back from the files; once `tag` has stored the photos'
    embeddings they teach it again (taught places survive the loss of the index too). A
    landmark the model knows is not made a taught place."""
    from app.core import teaching_store as store
    from app.core.tagging import TagOptions, tag

    known = tiny_bundle.labels[0].name
    (tmp_path / "photos").mkdir()
    for number, name in enumerate(["Our cabin", "Our cabin", known]):
        _keyworded_jpeg(tmp_path / "photos" / f"DSC_{number:04d}.JPG", [name], [f"Landmarks|{name}"], seed=number)
    options = TagOptions(model=tiny_bundle.path, workers=0, batch_size=2, threads=1)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        summary = tag(index, [tmp_path / "photos"], options)
        assert summary.scan.labels_read == 3 and summary.taught == 2
        assert "3 labels read from the files, 2 photos you labelled taught your places" in summary.line()
        cabin = sorted(p.id for p in index.search('label:"Our cabin"'))
        assert sorted(photo_id for _, photo_id in store.taught_pairs(index.conn)) == cabin
        assert {label for label, _ in store.taught_pairs(index.conn)} == {"Our cabin"}
        assert tag(index, [tmp_path / "photos"], options).taught == 0  # once is enough
        # a place the user told the app to forget stays forgotten, though its photos keep the label
        from app.core.teaching import forget, teach

        forget(index, "Our cabin")
        assert tag(index, [tmp_path / "photos"], options).taught == 0 and store.taught_pairs(index.conn) == []
        assert sorted(p.id for p in index.search('label:"Our cabin"')) == cabin
        teach(index, "Our cabin", cabin[:1], bundle=tiny_bundle)  # taught again: no longer forgotten
        assert tag(index, [tmp_path / "photos"], options).taught == 1


# A landmark keyword as another program spelled it: decomposed Unicode (text taken from a
# macOS file or folder name: "E" + U+0301), or with extra spaces. It reads back as the
# label, so a write treats it as the landmark; the user's own keywords stay byte for byte.
DECOMPOSED = unicodedata.normalize("NFD", "Église Saint-Michel")
SPACED = "  Pont   du Gard "
USERS_OWN = unicodedata.normalize("NFD", "Crêpes à Quimper")  # not ours: stays decomposed


def _relabelled(tmp_path: Path, spelled: str, change) -> tuple[Path, bytes, KeywordFields]:
    """A photo keyworded `spelled`, read back into an index, changed by `change(index,
    photo_id)` and written: the photo, its bytes before the write, its fields after."""
    photo = _keyworded_jpeg(tmp_path / "DSC_0001.JPG", ["holiday", USERS_OWN, spelled],
                            [f"Trips|{USERS_OWN}", f"Landmarks|{spelled}"])
    before = photo.read_bytes()
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [tmp_path])
        photo = index.search("")[0]
        assert photo.label == " ".join(unicodedata.normalize("NFC", spelled).split())
        change(index, photo.id)
        assert write_labels(index, plan_writes(index), WriteOptions()).written == 1
    return Path(photo.path), before, read_fields(Path(photo.path).read_bytes())


@pytest.mark.parametrize("spelled", [DECOMPOSED, SPACED])
def test_a_relabel_replaces_the_landmark_keyword_as_another_program_spelled_it(tmp_path: Path, spelled: str) -> None:
    relabel = lambda index, photo_id: index.set_label(photo_id, "Notre-Dame")  # noqa: E731
    photo, before, fields = _relabelled(tmp_path, spelled, relabel)
    assert fields.subject == fields.iptc == ["holiday", USERS_OWN, "Notre-Dame"]
    assert fields.hierarchical == [f"Trips|{USERS_OWN}", "Landmarks|Notre-Dame"]
    with PhotoIndex.open(tmp_path / "fresh.db") as fresh:  # a new computer, a lost index
        scan(fresh, [tmp_path])
        assert fresh.search("")[0].label == "Notre-Dame"
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert undo_last_write(index).written == 1
    assert photo.read_bytes() == before


@pytest.mark.parametrize("change", ["no landmark", "rejected"])
def test_taking_the_label_off_takes_a_decomposed_landmark_keyword_out(tmp_path: Path, change: str) -> None:
    def take_off(index: PhotoIndex, photo_id: int) -> None:
        if change == "rejected":
            index.set_state([photo_id], "rejected")
        else:
            index.set_label(photo_id, None)

    _, _, fields = _relabelled(tmp_path, DECOMPOSED, take_off)
    assert fields.subject == fields.iptc == ["holiday", USERS_OWN]
    assert fields.hierarchical == [f"Trips|{USERS_OWN}"]


def test_accepting_a_decomposed_landmark_keyword_adds_no_second_spelling(tmp_path: Path) -> None:
    photo = _keyworded_jpeg(tmp_path / "DSC_0001.JPG", [DECOMPOSED], [f"Landmarks|{DECOMPOSED}"])
    before = photo.read_bytes()
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [tmp_path])
        assert not [item for item in plan_writes(index) if item.changes_anything]
        write_labels(index, plan_writes(index), WriteOptions())
    assert photo.read_bytes() == before


def test_a_relabel_replaces_a_decomposed_landmark_keyword_in_a_sidecar(tmp_path: Path) -> None:
    Image.new("RGB", (80, 60), (30, 90, 160)).save(tmp_path / "scan.png")
    sidecar = tmp_path / "scan.png.xmp"
    sidecar.write_bytes(render_sidecar(None, KeywordFields([USERS_OWN, DECOMPOSED], [f"Landmarks|{DECOMPOSED}"])))
    before = sidecar.read_bytes()
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [tmp_path])
        index.set_label(index.search("")[0].id, "Notre-Dame")
        assert write_labels(index, plan_writes(index), WriteOptions()).written == 1
        fields = fields_of_sidecar(sidecar.read_bytes())
        assert fields.subject == [USERS_OWN, "Notre-Dame"]
        assert fields.hierarchical == [USERS_OWN, "Landmarks|Notre-Dame"]  # it held the keyword replaced alone
        assert undo_last_write(index).written == 1
    assert sidecar.read_bytes() == before


def test_undo_takes_out_our_keyword_that_another_program_spelled_decomposed_since() -> None:
    ours = "Basilique de Fourvière"
    before = KeywordFields(subject=["holiday"])
    after = KeywordFields(subject=["holiday", ours], hierarchical=[f"Landmarks|{ours}"])
    respelt = unicodedata.normalize("NFD", ours)  # saved again by a program on a Mac
    now = KeywordFields(subject=["holiday", respelt, USERS_OWN], hierarchical=[f"Landmarks|{respelt}"])
    reverted = revert_fields(now, before, after, ("subject", "hierarchical"))
    assert reverted.subject == ["holiday", USERS_OWN] and reverted.hierarchical is None

"""Our landmark tag and a tag tree of the user's, as the scan and a relabel see them:
- a friend `People|Petra` (and the "Petra" Lightroom exports from it) the file held before
  our write is the user's own: deleting our `Landmarks|Petra` in Lightroom is a removal,
  though the name is still in the file (the index kept "Petra accepted" and taught it);
- our Colosseum tag moved in Lightroom to `Places|Rome|Colosseum`, then the photo relabelled
  Pantheon: the path stays, and so does its plain keyword, said aloud (the write took
  "Colosseum" out of dc:subject and IPTC alone, a half-removed tag Lightroom put back);
- only what the file held before our very first write is the user's own: Colosseum
  relabelled or rejected, then labelled back, finds our moved tag there (no second
  `Landmarks|Colosseum`), and a Lightroom save deleting any such duplicate rejects nothing;
- the "kept" note whenever our moved tag stays (the user's plain "Colosseum" too), said
  as the reason of a reject's dry run, and never for a friend's `People|Petra`; a reject
  keeps the plain keyword as a relabel does, even where it is the only one in its field;
- a friend `People|Petra` tagged after our write of another landmark (Treasury) is no
  tag of ours either: it sat beside our `Landmarks|Petra` once the photo was labelled
  Petra and written, so only a path that appeared as ours went can be ours moved.
End to end: our CLI writes, exiftool edits as Lightroom saves."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.landmark_in_users_tree import kept_in_users_tree
from tests.test_cli_core import run_cli
from tests.test_metadata_support import make_jpeg, require_exiftool
from tests.test_users_tag_named_like_landmark import _cli, _exiftool, _label

FRIEND = ("-XMP-lr:HierarchicalSubject=People|Petra", "-XMP-dc:Subject=Petra")
KEPT_NOTE = '"Colosseum" kept: it sits in your tag tree Places|Rome|Colosseum'
MOVED = ("-XMP-lr:HierarchicalSubject=Places|Rome|Colosseum",  # Lightroom moved it under Places > Rome
         "-XMP-dc:Subject=Colosseum", "-XMP-dc:Subject=Rome", "-XMP-dc:Subject=Places",
         "-IPTC:Keywords=Colosseum", "-IPTC:Keywords=Rome", "-IPTC:Keywords=Places")


def _said(capsys, db: Path, *argv: str) -> str:
    """All a command printed (its summary line goes to stderr)."""
    code, out, err = run_cli(capsys, "--db", str(db), *argv)
    assert code == 0, err
    return out + err


def _one_photo(tmp_path: Path, capsys, db: Path, label: str, *tags: str) -> Path:
    """A JPEG with the user's `tags`, labelled `label` and written by our CLI."""
    folder = tmp_path / "lib"
    folder.mkdir()
    photo = make_jpeg(folder / "IMG_1.JPG")
    if tags:
        _exiftool(photo, *tags)
    _cli(capsys, db, "scan", str(folder))
    _label(capsys, db, photo, label)
    _cli(capsys, db, "write")
    return photo


def _scan_rejects_petra_and_write_keeps_the_friend(capsys, db: Path, photo: Path) -> None:
    """After Lightroom deleted our Landmarks|Petra beside the friend People|Petra: the scan
    takes it for a removal (rejected, no longer taught) and the write takes out only our
    taught field, the friend and its keyword staying."""
    out = _said(capsys, db, "scan", str(photo.parent))
    assert "1 landmark keyword was changed or removed in another program" in out
    assert "Petra  rejected" in _cli(capsys, db, "search", "")
    assert "taught:     Petra" not in _cli(capsys, db, "stats")
    _cli(capsys, db, "write")
    fields = read_fields(photo.read_bytes())
    assert (fields.hierarchical, fields.subject, fields.taught) == (["People|Petra"], ["Petra"], None)


def test_our_tag_deleted_beside_a_friend_of_the_same_name_is_a_removal(tmp_path, capsys):
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Petra", *FRIEND)
    assert read_fields(photo.read_bytes()).hierarchical == ["People|Petra", "Landmarks|Petra"]
    _exiftool(photo, *FRIEND)  # Lightroom: our keyword deleted, the friend kept

    _scan_rejects_petra_and_write_keeps_the_friend(capsys, db, photo)

    # labelled Petra again: the write puts our tag back, and the scan keeps the label
    _label(capsys, db, photo, "Petra")
    _cli(capsys, db, "write")
    assert read_fields(photo.read_bytes()).hierarchical == ["People|Petra", "Landmarks|Petra"]
    assert "changed or removed" not in _said(capsys, db, "scan", str(photo.parent))
    assert "Petra  accepted" in _cli(capsys, db, "search", "")


def _relabelled_pantheon_says_colosseum_kept(capsys, db: Path, photo: Path):
    """Scan the photo Lightroom changed, relabel it Pantheon and write: the dry run and the
    write both say Colosseum is kept in the user's tree, and the file holds both."""
    _cli(capsys, db, "scan", str(photo.parent))
    _label(capsys, db, photo, "Pantheon")
    assert KEPT_NOTE in _said(capsys, db, "write", "--dry-run")
    assert KEPT_NOTE in _said(capsys, db, "write")
    fields = read_fields(photo.read_bytes())
    assert fields.hierarchical == ["Places|Rome|Colosseum", "Landmarks|Pantheon"]
    assert fields.subject == ["Colosseum", "Rome", "Places", "Pantheon"]
    return fields


def test_a_relabel_leaves_the_old_landmark_the_user_moved_into_their_tree_and_says_so(tmp_path, capsys):
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Colosseum")
    _exiftool(photo, "-XMP-lr:HierarchicalSubject=Places|Rome|Colosseum",  # Lightroom moved it under Places > Rome
              "-XMP-dc:Subject=Colosseum", "-XMP-dc:Subject=Rome", "-XMP-dc:Subject=Places",
              "-IPTC:Keywords=Colosseum", "-IPTC:Keywords=Rome", "-IPTC:Keywords=Places")
    fields = _relabelled_pantheon_says_colosseum_kept(capsys, db, photo)
    assert fields.iptc == ["Colosseum", "Rome", "Places", "Pantheon"]
    assert fields.taught == ["Pantheon"]
    # the next scan takes the kept Colosseum for no label of the user's, the next write changes nothing
    assert "changed or removed" not in _said(capsys, db, "scan", str(photo.parent))
    assert "Pantheon  accepted" in _cli(capsys, db, "search", "")
    assert "1 unchanged" in _said(capsys, db, "write", "--dry-run")


@pytest.mark.parametrize("taken_back_by", ["relabel", "reject"])
def test_a_label_written_back_over_our_moved_tag_stays_when_lightroom_tidies_the_tree(tmp_path, capsys,
                                                                                       taken_back_by):
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Colosseum")
    _exiftool(photo, *MOVED)
    _cli(capsys, db, "scan", str(photo.parent))
    if taken_back_by == "relabel":
        _label(capsys, db, photo, "Pantheon")
    else:
        _cli(capsys, db, "reject", f'path:"{photo}"')
    assert KEPT_NOTE in _said(capsys, db, "write")
    _label(capsys, db, photo, "Colosseum")  # the user's mind changed back

    _cli(capsys, db, "write")

    fields = read_fields(photo.read_bytes())
    assert fields.hierarchical == ["Places|Rome|Colosseum"]  # our tag, moved: no second Landmarks|Colosseum
    assert fields.subject == ["Colosseum", "Rome", "Places"]
    assert "changed or removed" not in _said(capsys, db, "scan", str(photo.parent))
    # a duplicate Landmarks|Colosseum (an older version's label-back wrote one), then Lightroom's tidy deletes it;
    # each save read by the scan ("1 changed"), none a removal
    _exiftool(photo, "-XMP-lr:HierarchicalSubject=Places|Rome|Colosseum",
              "-XMP-lr:HierarchicalSubject=Landmarks|Colosseum")
    assert read_fields(photo.read_bytes()).hierarchical == ["Places|Rome|Colosseum", "Landmarks|Colosseum"]
    out = _said(capsys, db, "scan", str(photo.parent))
    assert "1 changed" in out and "changed or removed" not in out
    _exiftool(photo, "-XMP-lr:HierarchicalSubject=Places|Rome|Colosseum")
    assert read_fields(photo.read_bytes()).hierarchical == ["Places|Rome|Colosseum"]
    out = _said(capsys, db, "scan", str(photo.parent))
    assert "1 changed" in out and "changed or removed" not in out
    assert "Colosseum  accepted" in _cli(capsys, db, "search", "")
    assert "0 files would change" in _said(capsys, db, "write", "--dry-run")


def test_the_same_label_written_again_over_our_moved_tag_says_no_kept_note(tmp_path, capsys):
    """Our Colosseum moved by Lightroom to Places|Rome|Colosseum and the label Colosseum set
    again: the file is unchanged, and no note advises removing the user's own arrangement
    of the very landmark the photo is labelled with."""
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Colosseum")
    _exiftool(photo, *MOVED)
    _cli(capsys, db, "scan", str(photo.parent))
    _label(capsys, db, photo, "Colosseum")

    said = _said(capsys, db, "write", "--dry-run") + _said(capsys, db, "write")

    assert "unchanged" in said and "kept" not in said and "remove it there" not in said
    assert read_fields(photo.read_bytes()).hierarchical == ["Places|Rome|Colosseum"]


def test_a_reject_of_our_moved_tag_says_in_its_dry_run_that_the_keyword_stays(tmp_path, capsys):
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Colosseum")
    _exiftool(photo, *MOVED)
    _cli(capsys, db, "scan", str(photo.parent))
    _cli(capsys, db, "reject", f'path:"{photo}"')

    line = next(line for line in _said(capsys, db, "write", "--dry-run").splitlines() if "IMG_1.JPG" in line)

    assert line.endswith(f"(changes only XMP landmarkTagger:Teaches) (label rejected: {KEPT_NOTE}; "
                         "remove it there if the photo is not of it)")
    assert "comes out" not in line


def test_a_reject_keeps_the_plain_keyword_of_our_tag_moved_alone_into_the_users_tree(tmp_path, capsys):
    """Lightroom moved our keyword and nothing else: "Colosseum" is the only plain keyword,
    so the reject's write would empty dc:subject; it took the field out, leaving
    the path alone, while its dry run said both `-> none` and "kept" (docs11 F1)."""
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Colosseum")
    _exiftool(photo, "-XMP-lr:HierarchicalSubject=Places|Rome|Colosseum")
    _cli(capsys, db, "scan", str(photo.parent))
    _cli(capsys, db, "reject", f'path:"{photo}"')

    line = next(line for line in _said(capsys, db, "write", "--dry-run").splitlines() if "IMG_1.JPG" in line)
    assert "-> none" not in line
    assert line.endswith(f'keywords "Colosseum" (changes only XMP landmarkTagger:Teaches) (label rejected: '
                         f"{KEPT_NOTE}; remove it there if the photo is not of it)")
    assert KEPT_NOTE in _said(capsys, db, "write")

    fields = read_fields(photo.read_bytes())  # the path with its plain keyword; our Teaches gone
    assert (fields.hierarchical, fields.subject, fields.taught) == (["Places|Rome|Colosseum"], ["Colosseum"], None)
    assert "changed or removed" not in _said(capsys, db, "scan", str(photo.parent))
    assert "Colosseum  rejected" in _cli(capsys, db, "search", "")
    assert "0 files would change" in _said(capsys, db, "write", "--dry-run")


def test_a_friends_path_the_file_held_before_our_first_write_gets_no_kept_note(tmp_path, capsys):
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Petra", "-XMP-lr:HierarchicalSubject=People|Petra")
    assert read_fields(photo.read_bytes()).subject == ["Petra"]  # ours, written with Landmarks|Petra
    _label(capsys, db, photo, "Treasury")

    assert "kept" not in _said(capsys, db, "write", "--dry-run")
    assert "kept" not in _said(capsys, db, "write")

    fields = read_fields(photo.read_bytes())  # the friend as before our first write, our Petra gone
    assert (fields.hierarchical, fields.subject) == (["People|Petra", "Landmarks|Treasury"], ["Treasury"])


def test_our_moved_tag_kept_beside_the_users_own_plain_keyword_is_said(tmp_path, capsys):
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Colosseum", "-XMP-dc:Subject=Colosseum", "-IPTC:Keywords=Colosseum")
    _exiftool(photo, *MOVED)
    _relabelled_pantheon_says_colosseum_kept(capsys, db, photo)


def _petra_written_after_a_friend_tagged_later(tmp_path: Path, capsys, db: Path) -> Path:
    """Our Treasury written first; then the user tags a friend `People|Petra` in Lightroom,
    and the photo, relabelled Petra (the landmark), is written: `People|Petra, Landmarks|Petra`."""
    photo = _one_photo(tmp_path, capsys, db, "Treasury")
    _exiftool(photo, "-XMP-lr:HierarchicalSubject=Landmarks|Treasury", "-XMP-lr:HierarchicalSubject=People|Petra",
              "-XMP-dc:Subject=Treasury", "-XMP-dc:Subject=Petra", "-IPTC:Keywords=Treasury", "-IPTC:Keywords=Petra")
    _cli(capsys, db, "scan", str(photo.parent))
    _label(capsys, db, photo, "Petra")
    _cli(capsys, db, "write")
    assert read_fields(photo.read_bytes()).hierarchical == ["People|Petra", "Landmarks|Petra"]
    return photo


def test_our_tag_deleted_beside_a_friend_tagged_after_another_write_of_ours_is_a_removal(tmp_path, capsys):
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _petra_written_after_a_friend_tagged_later(tmp_path, capsys, db)
    _exiftool(photo, *FRIEND, "-IPTC:Keywords=Petra")  # Lightroom: our Landmarks|Petra deleted, the friend kept

    _scan_rejects_petra_and_write_keeps_the_friend(capsys, db, photo)


def test_a_relabel_says_nothing_of_a_friend_tagged_after_another_write_of_ours(tmp_path, capsys):
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _petra_written_after_a_friend_tagged_later(tmp_path, capsys, db)
    _label(capsys, db, photo, "Pantheon")

    assert "kept" not in _said(capsys, db, "write", "--dry-run")
    assert "kept" not in _said(capsys, db, "write")

    fields = read_fields(photo.read_bytes())  # the friend and its plain keyword as the user tagged them
    assert (fields.hierarchical, fields.subject) == (["People|Petra", "Landmarks|Pantheon"], ["Petra", "Pantheon"])


@pytest.mark.parametrize("change", ["relabel", "reject"])
def test_a_path_tagged_beside_our_tag_after_our_write_keeps_its_plain_keyword_and_is_named(
        tmp_path, capsys, change):
    """A photo with no keywords before our write of Petra, `People|Petra` tagged beside our
    `Landmarks|Petra` since: a friend, or a copy of our landmark in the user's tree (digiKam's
    "assign tag"); the file cannot tell (review4 F2: said nothing of a copy). Ours goes, the
    path keeps its "Petra" (life F1: a relabel took it out), and the note names it with no
    advice to remove it (9bc3451 advised it, as for a move: a friend's tag to delete)."""
    require_exiftool()
    db = tmp_path / "index.db"
    photo = _one_photo(tmp_path, capsys, db, "Petra")
    _exiftool(photo, "-XMP-lr:HierarchicalSubject+=People|Petra")  # Lightroom: "Petra" was there already
    _cli(capsys, db, "scan", str(photo.parent))
    if change == "relabel":
        _label(capsys, db, photo, "Treasury")
    else:
        _cli(capsys, db, "reject", str(photo))

    out = _said(capsys, db, "write")

    assert '"Petra" kept: it sits in your tag tree People|Petra' in out and "remove it there" not in out

    fields = read_fields(photo.read_bytes())
    assert fields.hierarchical == ["People|Petra", *(["Landmarks|Treasury"] if change == "relabel" else [])]
    assert fields.subject == ["Petra", *(["Treasury"] if change == "relabel" else [])]


@pytest.mark.parametrize("current, after", [
    (KeywordFields(hierarchical=["Places|Rome|Colosseum"], subject=["Colosseum"], iptc=["Colosseum"]),
     KeywordFields(hierarchical=["Places|Rome|Colosseum"])),  # the undo's: no plain-keyword field before
    (KeywordFields(hierarchical=["Places|Rome|Colosseum"], subject=["Colosseum", "Rome"]),
     KeywordFields(hierarchical=["Places|Rome|Colosseum"], subject=["Rome"])),
    (KeywordFields(hierarchical=["Places|Rome|Colosseum"], subject=["Colosseum"]),
     KeywordFields(hierarchical=["Places|Rome|Colosseum", "Landmarks|Pantheon"], subject=[])),
    (KeywordFields(hierarchical=["Landmarks|Colosseum", "People|Colosseum"], subject=["Colosseum"]),
     KeywordFields(hierarchical=["People|Colosseum"])),  # tagged beside ours since our write: kept, said, no advice
])
def test_a_kept_note_comes_only_with_the_path_and_its_plain_keyword_in_the_result(current, after):
    result, note = kept_in_users_tree(current, after, "Colosseum", None)

    for name in ("subject", "iptc", "xp"):  # whatever is said: the plain keyword stays with the path
        assert getattr(current, name) is None or "Colosseum" in getattr(result, name)
    if note is not None:
        path = note.split("tag tree ", 1)[1].split(";")[0]
        assert path in result.hierarchical and note.startswith('"Colosseum" kept')
    assert note is not None  # no users_before: each path appeared after our write
    # advice to remove the path only where ours is gone and the path alone sits in its place: ours, moved
    assert ("remove it there" in note) == ("Landmarks|Colosseum" not in current.hierarchical)

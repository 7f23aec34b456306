"""`landmark-tagger scan/search/stats`: exit codes, JSON lines, --db and
$LANDMARK_TAGGER_DB, help text, summaries on stderr."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import build_parser, main
from tests.closed_pipe import assert_quiet_stop_into_closed_pipe
from tests.test_index_support import write_jpeg

REQUIRED_KEYS = {"path", "files", "label", "score", "state", "taken_at", "camera"}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "photos"
    write_jpeg(root / "2020 Paris" / "DSC_0001.JPG", taken="2020:11:03 10:00:00", gps=(48.858, 2.294))
    (root / "2020 Paris" / "DSC_0001.NEF").write_bytes(b"")  # a broken RAW next to its JPEG
    write_jpeg(root / "2021 Rome" / "IMG_0002.jpg", taken="2021:05:01 09:00:00", model="NIKON D40", color=(1, 2, 3))
    return root


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_core_command_has_help_text() -> None:
    parser = build_parser()
    choices = next(a for a in parser._actions if a.dest == "command").choices
    for name in ("scan", "search", "stats"):
        assert choices[name].format_help().strip()
    helps = {a.dest: a.help for a in next(a for a in parser._actions if a.dest == "command")._choices_actions}
    for name in ("scan", "search", "stats"):
        assert helps[name] and "not implemented" not in helps[name]


def test_scan_search_stats_with_db_flag(tmp_path: Path, library: Path, capsys) -> None:
    db = str(tmp_path / "index.db")
    code, out, err = run_cli(capsys, "--db", db, "scan", str(library))
    assert code == 1  # one file failed: partial success
    assert "2 photos, 2 new" in err and "1 error" in err and "1 errors" not in err and "DSC_0001.NEF" in err
    assert out == ""

    code, out, err = run_cli(capsys, "--db", db, "search", "--json", "has:gps")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 1 and REQUIRED_KEYS <= set(lines[0])
    assert lines[0]["path"].endswith("DSC_0001.JPG") and lines[0]["state"] == "unlabelled"
    assert lines[0]["taken_at"] == "2020-11-03T10:00:00" and lines[0]["camera"] == "Nikon D850"
    assert "1 photo\n" in err

    code, out, _ = run_cli(capsys, "--db", db, "search", "camera:d40", "date:2021")
    assert code == 0 and "IMG_0002.jpg" in out and "DSC_0001" not in out

    code, out, _ = run_cli(capsys, "--db", db, "search", "--count")
    assert (code, out.strip()) == (0, "2")

    newest = run_cli(capsys, "--db", db, "search", "--json")[1].splitlines()
    code, out, _ = run_cli(capsys, "--db", db, "search", "--json", "--oldest-first")
    assert code == 0 and len(newest) == 2 and out.splitlines() == newest[::-1]

    code, out, _ = run_cli(capsys, "--db", db, "stats", "--json")
    stats = json.loads(out)
    assert code == 0 and stats["photos"] == 2 and stats["last_scan"]["errors"] == 1

    code, out, _ = run_cli(capsys, "--db", db, "stats")
    assert code == 0 and "photos:     2" in out


def test_a_negated_word_is_part_of_the_query_not_an_option(tmp_path: Path, library: Path, capsys) -> None:
    db = str(tmp_path / "index.db")
    run_cli(capsys, "--db", db, "scan", str(library))
    code, out, _ = run_cli(capsys, "--db", db, "search", "-paris")  # the shell gives '-paris' as it is
    assert code == 0 and "IMG_0002.jpg" in out and "DSC_0001" not in out
    code, out, _ = run_cli(capsys, "--db", db, "search", "--count", "-rome", "-paris")
    assert (code, out.strip()) == (0, "0")
    code, out, _ = run_cli(capsys, "--db", db, "write", "--dry-run", "-paris")
    assert code == 0
    with pytest.raises(SystemExit) as stopped:  # a real unknown option is still refused
        run_cli(capsys, "--db", db, "search", "-paris", "--colour")
    assert stopped.value.code == 2 and "--colour" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # and commands without a query take no such word
        run_cli(capsys, "--db", db, "stats", "-paris")


def test_options_may_come_between_the_folders_and_the_query_words(tmp_path: Path, library: Path, capsys) -> None:
    """`scan DIR1 --json DIR2`, `search 2020 --json paris`: the words after an option are
    the command's too; an unknown option among them is still refused."""
    db = str(tmp_path / "index.db")
    code, out, _ = run_cli(capsys, "--db", db, "scan", str(library / "2020 Paris"), "--json", str(library / "2021 Rome"))
    assert code == 1 and json.loads(out.splitlines()[0])["summary"]["new"] == 2  # the broken RAW: partial
    code, out, _ = run_cli(capsys, "--db", db, "search", "2020", "--json", "paris")
    assert code == 0 and [Path(json.loads(line)["path"]).name for line in out.splitlines()] == ["DSC_0001.JPG"]
    code, out, _ = run_cli(capsys, "--db", db, "search", "-rome", "--count", "paris")
    assert (code, out.strip()) == (0, "1")
    for argv in (["scan", str(library), "--bogus", str(library)], ["search", "2020", "--bogus", "paris"]):
        with pytest.raises(SystemExit) as stopped:
            run_cli(capsys, "--db", db, *argv)
        assert stopped.value.code == 2 and "unrecognized arguments: --bogus" in capsys.readouterr().err


@pytest.mark.parametrize(("problem", "expected"), [
    (sqlite3.DatabaseError("database disk image is malformed"), "is damaged or is not a landmark-tagger index"),
    (sqlite3.OperationalError("database or disk is full"), "no space left on the disk holding the index"),
])
def test_an_index_that_fails_under_a_command_gets_one_line(tmp_path: Path, capsys, monkeypatch, problem, expected):
    """SQLite can find a damaged page only when a command reaches it, long after the open."""
    import app.cli.commands.stats as stats_command

    def failing(args):
        raise problem

    monkeypatch.setattr(stats_command, "run", failing)
    db = str(tmp_path / "index.db")
    code, out, err = run_cli(capsys, "--db", db, "stats")
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    assert line.startswith("landmark-tagger: error: ") and db in line and expected in line


def test_a_newline_in_a_file_name_keeps_each_photo_on_one_line(tmp_path: Path, capsys) -> None:
    odd = write_jpeg(tmp_path / "photos" / "new\nline" / "a\ttab.jpg")
    (tmp_path / "photos" / "new\nline" / "b\nroken.jpg").write_bytes(b"")
    db = str(tmp_path / "index.db")
    code, _, err = run_cli(capsys, "--db", db, "scan", str(tmp_path / "photos"))
    assert code == 1 and "new\\nline/b\\nroken.jpg" in err
    assert len(err.splitlines()) == 3  # the new index, the error, the summary
    code, out, _ = run_cli(capsys, "--db", db, "search")
    (line,) = out.splitlines()
    assert line.startswith(str(tmp_path / "photos" / "new\\nline" / "a\\ttab.jpg") + "\t")
    code, out, _ = run_cli(capsys, "--db", db, "search", "--json")
    assert json.loads(out)["path"] == str(odd)  # machines get the exact name


def test_stats_counts_each_broken_file_once_and_lists_them(tmp_path: Path, library: Path, capsys) -> None:
    db = str(tmp_path / "index.db")
    for _ in range(3):
        run_cli(capsys, "--db", db, "scan", str(library))
    code, out, _ = run_cli(capsys, "--db", db, "stats")
    assert code == 0 and f"errors:     1 (1 scan; `landmark-tagger --db {db} stats --errors` lists them)" in out
    code, out, _ = run_cli(capsys, "--db", db, "stats", "--errors")
    (line,) = [line for line in out.splitlines() if line.startswith("scan: ")]
    assert "DSC_0001.NEF" in line and "empty file" in line
    code, out, _ = run_cli(capsys, "--db", db, "stats", "--json", "--errors", "5")
    (problem,) = json.loads(out)["problems"]
    assert problem["stage"] == "scan" and problem["path"].endswith("DSC_0001.NEF")


def test_stats_names_the_landmarks_and_lists_them_on_request(tmp_path: Path, library: Path, capsys) -> None:
    db = str(tmp_path / "index.db")
    run_cli(capsys, "--db", db, "scan", str(library))
    code, out, _ = run_cli(capsys, "--db", db, "stats")
    assert code == 0 and "landmarks:  0\n" in out and f"folders:    {library.resolve()}\n" in out
    run_cli(capsys, "--db", db, "label", "DSC_0001", "Pont du Gard")
    # --new: the default model's "Chateau d'If" differs in accents alone (label_names.close_landmarks)
    run_cli(capsys, "--db", db, "label", "IMG_0002", "Château d'If", "--new")
    code, out, _ = run_cli(capsys, "--db", db, "stats")
    assert "landmarks:  2 (most photos: Château d'If 1, Pont du Gard 1)\n" in out
    code, out, _ = run_cli(capsys, "--db", db, "stats", "--landmarks")
    assert out.splitlines()[-2:] == ["       1  Château d'If", "       1  Pont du Gard"]
    code, out, _ = run_cli(capsys, "--db", db, "stats", "--landmarks", "--json")
    stats = json.loads(out)
    assert stats["landmarks"] == 2 and stats["by_landmark"] == {"Château d'If": 1, "Pont du Gard": 1}


def test_rescan_without_errors_exits_0_and_uses_the_library(tmp_path: Path, library: Path, capsys) -> None:
    (library / "2020 Paris" / "DSC_0001.NEF").unlink()
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(library))[0] == 0
    code, out, err = run_cli(capsys, "--db", db, "scan", "--json")  # no PATH: the library's folders
    assert code == 0
    assert json.loads(out)["summary"] == {
        "photos": 2, "new": 0, "changed": 0, "moved": 0, "missing": 0, "errors": 0, "labels_read": 0,
        "unchanged_problems": 0, "run_id": 2, "status": "done", "not_downloaded": 0, "kept_temps": [],
        "sidecars_in_icloud": [], "split_notes": [], "pairs_reread": 0, "cards_not_connected": [],
        "same_folders": [], "left_to_links": [], "keywords_changed_elsewhere": [],
        "pictures_printed": 0, "other_frames": 0,  # one shape at every run
    }
    assert "scanned: 2 photos" in err


def test_env_variable_chooses_the_index(tmp_path: Path, library: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("LANDMARK_TAGGER_DB", str(tmp_path / "env.db"))
    run_cli(capsys, "scan", str(library))
    assert (tmp_path / "env.db").exists()
    code, out, _ = run_cli(capsys, "search", "--count", "paris")
    assert (code, out.strip()) == (0, "1")


def test_usage_errors_exit_2_with_one_line(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "index.db")
    code, _, err = run_cli(capsys, "--db", db, "scan", str(tmp_path / "nowhere"))
    assert code == 2 and "folder not found" in err
    code, _, err = run_cli(capsys, "--db", db, "scan")
    assert code == 2 and "no folder to scan" in err
    code, out, err = run_cli(capsys, "--db", db, "search", "colour:red")  # scan made the index
    assert code == 2 and out == "" and err.count("\n") == 1 and "unknown field 'colour'" in err
    with pytest.raises(SystemExit) as caught:
        main(["--db", db, "search", "--limit", "x"])
    assert caught.value.code == 2


def test_json_lines_survive_non_utf8_names(tmp_path: Path, capsys) -> None:
    import os

    folder = os.path.join(os.fsencode(tmp_path), b"lib")
    os.mkdir(folder)
    write_jpeg(Path(os.fsdecode(os.path.join(folder, b"caf\xe9.jpg"))))
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", os.fsdecode(folder))[0] == 0
    code, out, _ = run_cli(capsys, "--db", db, "search", "--json")
    assert code == 0 and json.loads(out)["path"].endswith("caf\ufffd.jpg")


def test_write_and_undo_json_lines_are_utf8_with_non_utf8_names(tmp_path: Path, capsys) -> None:
    """`write --json` and `undo --json` printed a non-UTF-8 name's raw bytes (stdout's
    surrogateescape), so `jq` and other JSON readers choked on the line; they now show
    the name as `search --json` does."""
    import os

    from app.core.index import PhotoIndex

    folder = os.path.join(os.fsencode(tmp_path), b"lib")
    os.mkdir(folder)
    write_jpeg(Path(os.fsdecode(os.path.join(folder, b"caf\xe9.jpg"))))
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", os.fsdecode(folder))[0] == 0
    with PhotoIndex.open(db) as index:
        index.set_label(index.search("")[0].id, "Petra")
    outputs = [run_cli(capsys, "--db", db, *command, "--json")[1]
               for command in (["write", "--dry-run"], ["write"], ["undo"])]
    lines = [json.loads(line.encode("utf-8")) for out in outputs for line in out.splitlines()]
    assert lines[0]["path"].endswith("caf\ufffd.jpg") and lines[1]["written"] == 1 and lines[2]["restored"] == 1


def test_console_script_runs_as_a_process(tmp_path: Path, library: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "--db", str(tmp_path / "i.db"), "scan", str(library / "2021 Rome")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "1 photo, 1 new" in result.stderr
    assert "\r" not in result.stderr  # no progress bar when stderr is not a terminal


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    """`landmark-tagger search | head`: the closed pipe stops the command with the
    shell's SIGPIPE status and no traceback."""
    from benchmarks.bench_index_generate import generate_index

    db = tmp_path / "index.db"
    generate_index(db, 3000)  # ~300 KB of output: more than a pipe holds
    command = [sys.executable, "-c", "import sys; from app.cli.main import main; sys.exit(main())",
               "--db", str(db), "search"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=Path(__file__).resolve().parents[1])
    first = process.stdout.readline()
    process.stdout.close()  # what `head -1` does after its line
    _, err = process.communicate(timeout=120)
    assert first.strip()
    assert process.returncode == 141
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err.decode()


@pytest.mark.parametrize("unbuffered", ["1", None], ids=["written-at-once", "written-at-exit"])
def test_a_reader_gone_before_a_short_output_ends_the_command_quietly(tmp_path: Path, unbuffered) -> None:
    """`landmark-tagger search --json | head -n 0` in a shell without PYTHONUNBUFFERED:
    two lines stay in stdout's buffer until the flush at exit, which printed "Exception
    ignored … BrokenPipeError" and exit 120; it stops quietly with 141."""

    from benchmarks.bench_index_generate import generate_index

    db = tmp_path / "index.db"
    generate_index(db, 2)
    command = [sys.executable, "-c", "import sys; from app.cli.main import main; sys.exit(main())",
               "--db", str(db), "search", "--json"]
    assert_quiet_stop_into_closed_pipe(command, unbuffered)


def test_stats_names_the_index_by_its_whole_path(tmp_path: Path, library: Path, capsys, monkeypatch) -> None:
    """`--db trip.db` given relative was printed as typed ("index: trip.db"), which says
    nothing once the user is in another folder."""
    monkeypatch.chdir(tmp_path)
    assert main(["--db", "trip.db", "scan", str(library)]) == 1  # the fixture holds a broken RAW
    capsys.readouterr()
    assert main(["--db", "trip.db", "stats"]) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("index:")]
    assert line.split(None, 1)[1] == str(tmp_path / "trip.db")


def test_a_search_cut_by_limit_or_offset_says_how_many_match(tmp_path: Path, library: Path, capsys) -> None:
    """`search --limit 1` ended with "1 photo", as if only one matched (`--limit 0`: "0
    photos" with 2 matching); the JSON lines on stdout stay one per photo shown."""
    db = str(tmp_path / "index.db")
    run_cli(capsys, "--db", db, "scan", str(library))
    for argv, said in ((["--limit", "1"], "1 of 2 photos shown"), (["--limit", "0"], "0 of 2 photos shown"),
                       (["--offset", "1"], "1 of 2 photos shown"), (["--limit", "2"], "2 photos"),
                       (["--limit", "5", "rome"], "1 photo")):
        code, out, err = run_cli(capsys, "--db", db, "search", *argv)
        assert (code, err.splitlines()[-1]) == (0, said), argv
    code, out, err = run_cli(capsys, "--db", db, "search", "--json", "--limit", "1")
    assert code == 0 and len(out.splitlines()) == 1 and REQUIRED_KEYS <= set(json.loads(out))
    assert err.splitlines()[-1] == "1 of 2 photos shown"


def test_stats_leave_out_a_deleted_photo_and_the_states_add_up(tmp_path: Path, capsys) -> None:
    """A labelled photo deleted from the disk is neither a photo nor a state any more, and a
    rejected photo is not also unlabelled: the four states add up to the photos there."""
    db, root = str(tmp_path / "index.db"), tmp_path / "photos"
    for n, name in enumerate(("a", "b", "c", "d", "e")):
        write_jpeg(root / f"{name}.jpg", taken=f"2021:05:0{n + 1} 09:00:00", color=(40 * n, 10, 10))
    run_cli(capsys, "--db", db, "scan", str(root))
    run_cli(capsys, "--db", db, "label", str(root / "a.jpg"), "Pont du Gard")
    run_cli(capsys, "--db", db, "label", str(root / "b.jpg"), "Pont du Gard")
    run_cli(capsys, "--db", db, "label", str(root / "c.jpg"), "Pont du Gard")
    run_cli(capsys, "--db", db, "reject", str(root / "c.jpg"))
    (root / "a.jpg").unlink()
    run_cli(capsys, "--db", db, "scan", str(root))

    code, out, _ = run_cli(capsys, "--db", db, "stats", "--json")
    stats = json.loads(out)
    assert code == 0 and (stats["photos"], stats["missing"], stats["labelled"]) == (4, 1, 1)
    assert stats["by_state"] == {"suggested": 0, "accepted": 1, "rejected": 1, "unlabelled": 2}
    code, out, _ = run_cli(capsys, "--db", db, "stats")
    assert "photos:     4 (4 files, 0 RAW+JPEG pairs)\n" in out
    assert "states:     0 suggested, 1 accepted, 1 rejected, 2 unlabelled\n" in out


def test_stats_count_every_broken_file_of_one_stage(tmp_path: Path, library: Path, capsys) -> None:
    db = str(tmp_path / "index.db")
    (library / "2021 Rome" / "IMG_0002.NEF").write_bytes(b"")  # a second broken RAW
    run_cli(capsys, "--db", db, "scan", str(library))
    code, out, _ = run_cli(capsys, "--db", db, "stats", "--json")
    stats = json.loads(out)
    assert code == 0 and stats["errors"] == 2 and stats["errors_by_stage"] == {"scan": 2}

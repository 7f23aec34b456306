"""`landmark-train` end to end: help texts, Kaggle-file scoring, and
prepare → train → export → evaluate on generated images."""

from __future__ import annotations

import json
import sys

import pytest

from tests.closed_pipe import assert_quiet_stop_into_closed_pipe
from training.cli import COMMANDS, build_parser, main
from training.synthetic import make_class_folders

SUBCOMMANDS = ["download", "prepare", "train", "evaluate", "export", "places"]


def test_every_subcommand_has_help_text(capsys):
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert sorted(sub.choices) == sorted(SUBCOMMANDS) and len(COMMANDS) == len(SUBCOMMANDS)
    helps = {choice.dest: choice.help for choice in sub._choices_actions}
    for name in SUBCOMMANDS:
        assert helps[name] and len(helps[name]) > 20, name
        with pytest.raises(SystemExit) as exit_info:
            main([name, "--help"])
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        assert f"landmark-train {name}" in out
        for action in sub.choices[name]._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"


def test_kaggle_files_scored_as_json(tmp_path, capsys):
    (tmp_path / "sub.csv").write_text("id,landmarks\na,1 0.9\nb,5 0.8\nc,3 0.7\nd,1 0.95\ne,\n")
    (tmp_path / "sol.csv").write_text(
        "id,landmarks,Usage\na,1,Public\nb,2,Private\nc,3,Public\nd,,Private\ne,4,Private\nz,9,Ignored\n"
    )
    assert main(["evaluate", "--predictions", str(tmp_path / "sub.csv"), "--solution", str(tmp_path / "sol.csv"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    # sorted: d (wrong), a (right, 1/2), b (wrong), c (right, 2/4); M = 4 (e abstains)
    assert result["gap"] == pytest.approx(1.0 / 4) and result["accuracy"] == pytest.approx(2 / 4)
    assert main(["evaluate", "--predictions", str(tmp_path / "sub.csv"), "--solution", str(tmp_path / "sol.csv"),
                 "--usage", "Public", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["gap"] == pytest.approx(1.0)


def test_errors_are_one_line_and_exit_2(tmp_path, capsys):
    assert main(["prepare", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "missing" in err[0]
    assert main(["train", "--manifest", str(tmp_path / "nothing"), "--set", "optim.epochs=1"]) == 2
    assert "prepare" in capsys.readouterr().err
    assert main(["evaluate"]) == 2


@pytest.mark.parametrize("unbuffered", ["1", None], ids=["written-at-once", "written-at-exit"])
@pytest.mark.parametrize("as_json", [[], ["--json"]], ids=["report", "json"])
def test_a_reader_gone_before_the_report_ends_the_command_quietly_with_141(tmp_path, unbuffered, as_json):
    """`landmark-train evaluate … | head -n 0`, or a pager quit while it ran: a
    BrokenPipeError traceback and exit 1 (the code of 'some files failed'), where
    landmark-tagger stops quietly with 141."""
    (tmp_path / "sub.csv").write_text("id,landmarks\na,1 0.9\n")
    (tmp_path / "sol.csv").write_text("id,landmarks,Usage\na,1,Public\n")
    command = [sys.executable, "-c", "import sys; from training.cli import main; sys.exit(main())", "evaluate",
               "--predictions", str(tmp_path / "sub.csv"), "--solution", str(tmp_path / "sol.csv"), *as_json]
    assert_quiet_stop_into_closed_pipe(command, unbuffered)


@pytest.mark.slow
def test_prepare_train_export_evaluate(tmp_path, capsys):
    import torch

    torch.set_num_threads(1)
    names = ["Tour d'Été", "Blue Gate", "Stripe Hall"]
    make_class_folders(tmp_path / "photos", names, 8, size=48)
    assert main(["prepare", str(tmp_path / "photos"), "--out", str(tmp_path / "prep"), "--size", "40", "--workers", "1"]) == 0
    config = tmp_path / "run.toml"
    config.write_text(
        f'run_dir = "{tmp_path / "run"}"\nprogress = false\ntensorboard = false\n'
        "[data]\ninput_size = 32\nworkers = 0\n[model]\nembedding_size = 16\nfreeze_batchnorm = true\n"
        "[optim]\nepochs = 2\nbatch_size = 6\nlr = 0.05\n[loss]\nname = \"cosface\"\n"
    )
    assert main(["train", "--config", str(config), "--manifest", str(tmp_path / "prep")]) == 0
    bundle = tmp_path / "tiny.ltbundle"
    assert main(["export", str(tmp_path / "run"), "--out", str(bundle)]) == 0
    from model.bundle import load_bundle

    loaded = load_bundle(bundle)
    assert sorted(e.name for e in loaded.labels) == sorted(names) and loaded.input_size == 32
    assert "cosface" in loaded.card and "μAP" in loaded.card

    make_class_folders(tmp_path / "queries", names + ["Never Seen"], 3, size=48)
    capsys.readouterr()
    assert main(["evaluate", "--model", str(bundle), "--data", str(tmp_path / "queries"), "--json",
                 "--plot", str(tmp_path / "confusion.png")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert 0.0 <= result["gap"] <= 1.0 and result["queries"] == 12 and result["landmark_queries"] == 9
    assert (tmp_path / "confusion.png").stat().st_size > 1000
    assert main(["evaluate", "--model", str(bundle), "--manifest", str(tmp_path / "prep"), "--split", "val", "--json"]) == 0
    by_split = json.loads(capsys.readouterr().out)
    assert by_split["queries"] == 6 and by_split["landmark_queries"] == 6


@pytest.mark.parametrize("rank, said", [("0", True), ("1", False)])
def test_under_torchrun_only_rank_0_says_where_the_checkpoints_are(tmp_path, monkeypatch, capsys, rank, said):
    """Every rank runs `train`; only rank 0 writes checkpoints (train itself is not run here)."""
    from types import SimpleNamespace

    import training.train
    from tests.training_setup import prepare_tiny_classes

    prepared = prepare_tiny_classes(tmp_path, ["Petra", "Alhambra"])
    run = tmp_path / "run"
    done = SimpleNamespace(final_metrics=None, epochs_done=1, last_checkpoint=run / "checkpoints" / "last.pt")
    monkeypatch.setattr(training.train, "train", lambda *args, **kwargs: done)
    monkeypatch.setenv("RANK", rank)
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert main(["train", "--manifest", str(prepared), "--run-dir", str(run)]) == 0
    assert ("checkpoints in" in capsys.readouterr().err) is said

"""The model bundle and threshold a job uses: the ones given, else those chosen in the
app's Settings, else the default bundle and its own threshold. The Settings' threshold
goes with the Settings' model: a job given another bundle uses that bundle's own.

One rule for the app and the CLI, so a nightly `landmark-tagger tag` and the app's Tag
agree on the labels instead of relabelling every photo back and forth — when the job runs
as the same user with the same data folder: the Settings are the user's, not the index's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core.settings import AppSettings


@dataclass(frozen=True)
class ModelChoice:
    """The model (None: the default bundle) and threshold (None: the bundle's own) to use,
    which of them came from the app's Settings, and why Settings could not be read."""

    model: Path | None = None
    threshold: float | None = None
    model_from_settings: bool = False
    threshold_from_settings: bool = False
    settings_problem: str = ""

    @property
    def settings_model_gone(self) -> bool:
        """The bundle chosen in Settings was moved or deleted since: it cannot be used."""
        return self.model_from_settings and self.model is not None and not self.model.exists()

    def gone_problem(self) -> str:
        """What to say instead of using a Settings bundle that is gone, and how to choose another."""
        return (f"the model chosen in the app's Settings, {self.model}, is gone (moved or deleted); "
                "choose another in the app's Settings or pass --model")

    def line(self) -> str:
        """One line saying what came from Settings (or that they could not be read, or that
        the model chosen there is gone and none is used); "" when nothing did."""
        if self.settings_problem:
            return f"note: {self.settings_problem}; using the default model and threshold"
        if self.settings_model_gone:
            return f"note: {self.gone_problem()}; no model is used"
        chosen = []
        if self.model_from_settings:
            chosen.append(f"model {self.model}")
        if self.threshold_from_settings:
            chosen.append(f"threshold {self.threshold:g}")
        if not chosen:
            return ""
        return (f"using the {' and '.join(chosen)} chosen in the app's Settings "
                "(--model/--threshold to use others)")


def settings_model(settings: AppSettings) -> Path | None:
    """The bundle chosen in Settings, None for the default one."""
    return Path(settings.model_bundle) if settings.model_bundle else None


def same_bundle(one: Path | None, other: Path | None) -> bool:
    """Whether two bundle paths (None: the default bundle) name the same bundle."""
    from model.bundle import default_bundle_path

    def where(path: Path | None) -> Path:
        return (path or default_bundle_path()).expanduser().resolve()

    return where(one) == where(other)


def model_choice(model: Path | None = None, threshold: float | None = None,
                 settings: AppSettings | None = None) -> ModelChoice:
    """`model` and `threshold` as given; a model not given is the Settings', a threshold
    not given the Settings' when the model used is the Settings' one (a threshold is
    chosen for one network: another bundle keeps its own). Settings are read from the
    settings file when `settings` is None. A settings file that cannot be read is not
    moved or changed here (the app does that): its problem is returned and the defaults used."""
    problem = ""
    if settings is None:
        from app.core.errors import UsageError
        from app.core.settings import load_settings

        try:
            settings = load_settings()
        except UsageError as error:  # a damaged settings.json: said, and the defaults used
            settings, problem = AppSettings(), str(error)
    from_settings_model = model is None and settings.model_bundle is not None
    used = settings_model(settings) if from_settings_model else model
    from_settings_threshold = (threshold is None and settings.threshold is not None
                               and same_bundle(used, settings_model(settings)))
    return ModelChoice(
        model=used,
        threshold=settings.threshold if from_settings_threshold else threshold,
        model_from_settings=from_settings_model,
        threshold_from_settings=from_settings_threshold,
        settings_problem=problem,
    )

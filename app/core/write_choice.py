"""How labels are written (sidecar naming, into JPEGs or not): what is given, else the
choice in the app's Settings, else the default (ext sidecars, JPEGs written into).

One rule for the app and the CLI, so a user who chose stem sidecars (Lightroom's
DSC_0001.xmp) or "never write into my JPEGs" in the app gets the same from a terminal
or a cron `landmark-tagger write`, not the opposite on their originals.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.settings import AppSettings

DEFAULTS = AppSettings()


@dataclass(frozen=True)
class WriteChoice:
    """The sidecar naming and JPEG choice to write with, which of them came from the
    app's Settings, and why Settings could not be read."""

    sidecar_naming: str = DEFAULTS.sidecar_naming
    write_into_jpeg: bool = DEFAULTS.write_into_jpeg
    naming_from_settings: bool = False
    jpeg_from_settings: bool = False
    settings_problem: str = ""

    def line(self) -> str:
        """One line saying what came from Settings (or that they could not be read); "" when nothing did."""
        if self.settings_problem:
            jpegs = ("labels written into JPEGs" if self.write_into_jpeg else
                     "JPEGs left untouched (sidecars for them) while it cannot be read; --jpeg writes into them")
            return f"note: {self.settings_problem}; writing with {self.sidecar_naming} sidecars, {jpegs}"
        chosen = []
        if self.naming_from_settings:
            chosen.append(f"{self.sidecar_naming} sidecars ({_example(self.sidecar_naming)})")
        if self.jpeg_from_settings:
            chosen.append("labels written into JPEGs" if self.write_into_jpeg else "JPEGs left untouched (sidecars for them)")
        if not chosen:
            return ""
        return (f"using {' and '.join(chosen)} as chosen in the app's Settings "
                "(--sidecar-naming, --jpeg/--no-jpeg to use others)")


def _example(naming: str) -> str:
    return "DSC_0001.xmp" if naming == "stem" else "DSC_0001.NEF.xmp"


def write_choice(sidecar_naming: str | None = None, write_into_jpeg: bool | None = None,
                 settings: AppSettings | None = None) -> WriteChoice:
    """`sidecar_naming` and `write_into_jpeg` as given; each one not given (None) is the
    Settings' (read from the settings file when `settings` is None). A settings file that
    cannot be read is not moved or changed here (the app does that): its problem is
    returned and the default naming used, but JPEGs are left untouched unless asked for
    (the file may say "never write into my JPEGs": an unknown choice must not rewrite
    originals). A value from Settings equal to the default is not
    reported as chosen there (nothing differs, nothing to say)."""
    problem = ""
    if settings is None:
        from app.core.errors import UsageError
        from app.core.settings import load_settings

        try:
            settings = load_settings()
        except UsageError as error:  # a damaged settings.json: said, and the defaults used
            settings, problem = AppSettings(write_into_jpeg=False), str(error)
    naming = settings.sidecar_naming if sidecar_naming is None else sidecar_naming
    into_jpeg = settings.write_into_jpeg if write_into_jpeg is None else write_into_jpeg
    return WriteChoice(
        sidecar_naming=naming,
        write_into_jpeg=into_jpeg,
        naming_from_settings=sidecar_naming is None and naming != DEFAULTS.sidecar_naming,
        jpeg_from_settings=write_into_jpeg is None and into_jpeg != DEFAULTS.write_into_jpeg,
        settings_problem=problem,
    )

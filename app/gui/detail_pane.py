"""The right panel: a large preview and everything known about one photo —
files of the pair, date, camera, lens, GPS, the top-5 predictions with bars,
and the current label with its state and source."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import (
    QFormLayout, QLabel, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget,
)

from app.core.index.records import printable_path
from app.core.library import display_name
from app.core.photo_info import file_kind
from app.gui import theme
from app.gui.button_row import ButtonRow
from app.gui.icons import icon
from app.gui.preview_loader import PreviewLoader
from model.image_detail import FEATURELESS_NOTE, is_unscored
from model.places import FAR_FACTOR


def format_gps(lat: float | None, lon: float | None) -> str:
    if lat is None or lon is None:
        return "—"
    return f"{abs(lat):.5f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.5f}° {'E' if lon >= 0 else 'W'}"


def format_taken_at(value: str | None) -> str:
    """ "2011-04-25T01:55:30.5+02:00" -> "2011-04-25  01:55:30  (UTC+02:00)"; a date
    alone (a scan dated by day, "2016-07-07") stays a date, without a made-up midnight."""
    if not value:
        return "—"
    if "T" not in value:
        return value
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value.replace("T", "  ", 1)
    text = moment.strftime("%Y-%m-%d  %H:%M:%S")
    if moment.tzinfo is not None:
        offset = moment.strftime("%z")
        text += f"  (UTC{offset[:3]}:{offset[3:5]})"
    return text


def gps_link(lat: float | None, lon: float | None) -> str:
    """The position as a link to the map (opens in the browser)."""
    if lat is None or lon is None:
        return "—"
    url = f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=16/{lat:.6f}/{lon:.6f}"
    return f'<a href="{url}" style="color: {theme.ACCENT}; text-decoration: none;">{format_gps(lat, lon)}</a>'



PREVIEW_HEIGHT = 480  # the tallest the preview is shown, in logical pixels
PREVIEW_DECODED = 1600  # the long side decoded at least (the loupe shows the same decode)


class PreviewLabel(QLabel):
    """Keeps the preview scaled to the panel width, aspect kept, in the screen's pixels:
    scaled to the logical width, a 1600-px image was shrunk to 319 px at 200 % and then
    doubled on screen, blurred. It asks for no width: a QLabel asks for its pixmap's, so
    once scaled it never let the pane narrow again."""

    def __init__(self) -> None:
        super().__init__()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumHeight(200)
        self.setWordWrap(True)  # a message names a file, which may be long
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setStyleSheet(f"background: {theme.PANEL}; border-radius: 8px; color: {theme.MUTED};")
        self._pixmap: QPixmap | None = None
        self.image: QImage | None = None  # as decoded, for the loupe
        self.message = ""

    def set_image(self, image: QImage | None, message: str = "") -> None:
        self.image, self.message = image, message
        self._pixmap = QPixmap.fromImage(image) if image is not None else None
        self._rescale()

    def has_image(self) -> bool:
        return self._pixmap is not None

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(0, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(0, super().sizeHint().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._rescale()

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.DevicePixelRatioChange:  # moved to a screen of another scale
            self._rescale()
        return super().event(event)

    def pixels_wanted(self) -> int:
        """The long side to decode: what the pane can show in device pixels, and no less
        than PREVIEW_DECODED (the loupe shows the same decode, larger)."""
        shown = max(self.width(), PREVIEW_HEIGHT) * self.devicePixelRatioF()
        return max(PREVIEW_DECODED, math.ceil(shown))

    def _rescale(self) -> None:
        if self._pixmap is None:
            self.setText(self.message)  # (setPixmap would clear the text: the messages never showed)
            self.setFixedHeight(220)
            return
        ratio = self.devicePixelRatioF()
        width = max(100, self.width())
        scaled = self._pixmap.scaled(QSize(round(width * ratio), round(PREVIEW_HEIGHT * ratio)),
                                     Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        scaled.setDevicePixelRatio(ratio)
        self.setFixedHeight(math.ceil(scaled.height() / ratio))
        self.setPixmap(scaled)


class ConfidenceBar(QWidget):
    """One prediction: name, a bar as long as the confidence, the percentage."""

    def __init__(self, label: str, score: float, chosen: bool) -> None:
        super().__init__()
        self.label, self.score, self.chosen = label, score, chosen
        self.setMinimumHeight(34)
        self.setToolTip(f"{label}: {score:.3f}")

    def sizeHint(self) -> QSize:
        return QSize(240, 34)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = self.width()
        painter.setPen(QColor(theme.TEXT if self.chosen else theme.MUTED))
        font = painter.font()
        font.setBold(self.chosen)
        painter.setFont(font)
        text_rect = QRectF(0, 0, width - 50, 18)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter,
                         painter.fontMetrics().elidedText(self.label, Qt.TextElideMode.ElideRight, width - 56))
        painter.drawText(QRectF(width - 48, 0, 48, 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         f"{self.score * 100:.0f}%")
        track = QRectF(0, 22, width, 7)
        path = QPainterPath()
        path.addRoundedRect(track, 3.5, 3.5)
        painter.fillPath(path, QColor(theme.RAISED))
        filled = QRectF(0, 22, max(4.0, width * max(0.0, min(1.0, self.score))), 7)
        path = QPainterPath()
        path.addRoundedRect(filled, 3.5, 3.5)
        painter.fillPath(path, theme.confidence_colour(self.score))


class DetailPane(QScrollArea):
    """Shows one photo; the buttons ask the window to change its label."""

    accept_requested = Signal()
    reject_requested = Signal()
    relabel_requested = Signal()
    similar_requested = Signal()
    preview_shown = Signal(object, str)  # QImage or None, message: the loupe shows the same decode

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The content wraps to the view's width, so its height depends on that width: a scroll
        # bar that came and went with it changed the width again, resizing without end.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setMinimumWidth(220)  # its buttons wrap, its texts follow the width: the window fits 800 px
        self.setAccessibleName("Photo details")  # it takes focus (its keys scroll it)
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(14, 12, 14, 14)
        layout.setSpacing(10)
        self.preview = PreviewLabel()
        layout.addWidget(self.preview)
        self.title = QLabel("No photo selected")
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # labels are user text, never markup
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        self.state_line = QLabel()
        self.state_line.setProperty("role", "muted")
        self.state_line.setWordWrap(True)
        # the photo's problems now (stats --errors, the Problems panel): a picture labelled
        # from damaged data is found again here, to be restored from a backup
        self.problem_line = QLabel()
        self.problem_line.setProperty("role", "error")
        self.problem_line.setTextFormat(Qt.TextFormat.PlainText)  # messages hold file names, never markup
        self.problem_line.setWordWrap(True)
        self.problem_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem_line.hide()
        for label in (self.title, self.state_line, self.problem_line):
            follow_width(label)
        layout.addWidget(self.title)
        layout.addWidget(self.state_line)
        layout.addWidget(self.problem_line)
        self.accept_button = QPushButton(icon("accept"), "Accept")
        self.reject_button = QPushButton(icon("reject"), "Reject")
        self.relabel_button = QPushButton(icon("label"), "Label…")
        for button, key, signal in ((self.accept_button, "A", self.accept_requested),
                                    (self.reject_button, "R", self.reject_requested),
                                    (self.relabel_button, "L", self.relabel_requested)):
            button.setToolTip(f"{button.text()} ({key})")
            button.setStyleSheet("padding: 6px 6px;")
            button.clicked.connect(signal)
        # side by side while they fit, else wrapped: in one row they held the pane wider than its view
        self.buttons = ButtonRow([self.accept_button, self.reject_button, self.relabel_button])
        layout.addWidget(self.buttons)
        self.similar_button = QPushButton(icon("search"), "Similar photos")
        self.similar_button.setToolTip("Show the photos that look most like this one (S)")
        self.similar_button.setStyleSheet("padding: 6px 8px;")
        self.similar_button.clicked.connect(self.similar_requested)
        layout.addWidget(self.similar_button)
        layout.addWidget(self._section("PREDICTIONS"))
        self.predictions_box = QVBoxLayout()
        self.predictions_box.setSpacing(2)
        layout.addLayout(self.predictions_box)
        layout.addWidget(self._section("PHOTO"))
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.form.setHorizontalSpacing(14)
        self.form.setVerticalSpacing(6)
        self.fields: dict[str, QLabel] = {}
        for name in ("Files", "Taken", "Camera", "Lens", "Size", "GPS", "Folder"):
            value = QLabel("—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.LinksAccessibleByMouse)
            value.setOpenExternalLinks(True)
            # File names are text, never markup; only the GPS line is a link.
            value.setTextFormat(Qt.TextFormat.RichText if name == "GPS" else Qt.TextFormat.PlainText)
            follow_width(value)  # a long file name is cut at the pane's edge (whole in the tooltip)
            key = QLabel(name)
            key.setProperty("role", "muted")
            self.form.addRow(key, value)
            self.fields[name] = value
        layout.addLayout(self.form)
        layout.addStretch(1)
        self._loader = PreviewLoader(PREVIEW_DECODED, parent=self)
        self._loader.loaded.connect(lambda image: self._set_preview(image))
        self._loader.failed.connect(lambda message: self._set_preview(None, f"No preview\n{message[:240]}"))
        self.record = None
        # the photo, path and whether it is missing whose preview is asked or shown
        self._preview_of: tuple[int, str, bool] | None = None
        self.places: dict = {}  # landmark name → model.places.Place, of the bundle in use (set by the window)
        self.show_record(None, [])

    @staticmethod
    def _section(text: str) -> QLabel:
        label = QLabel(text)
        label.setProperty("role", "section")
        label.setContentsMargins(0, 8, 0, 0)
        return label

    def show_record(self, record, predictions: list, problems: Sequence[str] = (),
                    best_guess: str | None = None) -> None:
        """Show a PhotoRecord (None: nothing selected), its predictions, the messages of
        its problems now (PhotoIndex.photo_problems) and, for "no landmark", the name of
        the best guess its score is for (PhotoIndex.best_guess)."""
        self.record = record
        self.problem_line.setText("\n".join(printable_path(problem) for problem in problems))
        self.problem_line.setVisible(record is not None and bool(problems))
        for button in (self.accept_button, self.reject_button, self.relabel_button, self.similar_button):
            button.setEnabled(record is not None)
        self._show_predictions(record, predictions)
        if record is None:
            self._loader.cancel()
            self._preview_of = None
            self._set_preview(None, "Select a photo")
            self.title.setText("No photo selected")
            self.state_line.setText("")
            for value in self.fields.values():
                value.setText("—")
            return
        missing = bool(getattr(record, "missing", False))
        if (record.id, record.path, missing) != self._preview_of:  # a photo renamed onto another's name: a new path
            self._preview_of = (record.id, record.path, missing)
            if missing:  # nothing to draw; the loader says so when iCloud's stand-in lies in its place
                self._set_preview(None, "File missing\nmoved, deleted, or on a drive that is not connected; "
                                        "its labels are kept")
            else:
                self._set_preview(None, "Loading preview…")
            self._loader.request(record.path, self.preview.pixels_wanted(), missing=missing)
        if record.state == "unlabelled":
            self.title.setText("Not tagged yet")
        else:
            self.title.setText(record.label or "No landmark")
        self.state_line.setText(state_text(record, predictions, best_guess))
        self.fields["Files"].setText(files_text(record))
        self.fields["Files"].setToolTip("\n".join(printable_path(p) for p in record.files or [record.path]))
        self.fields["Taken"].setText(format_taken_at(record.taken_at))
        self.fields["Camera"].setText(record.camera or "—")
        self.fields["Lens"].setText(record.lens or "—")
        self.fields["Size"].setText(f"{record.width} × {record.height}" if record.width and record.height else "—")
        self.fields["GPS"].setText(gps_link(record.gps_lat, record.gps_lon))
        self.fields["Folder"].setText(printable_path(record.folder) if record.folder else "—")

    def recheck_preview(self) -> None:
        """Decode the preview again if its file changed since (PreviewLoader.recheck: stat
        on the worker thread); connected to the thumbnails' recheck, which runs after a job
        that may change files and when the app becomes active again."""
        self._loader.recheck()

    def _set_preview(self, image: QImage | None, message: str = "") -> None:
        self.preview.set_image(image, message)
        self.preview_shown.emit(image, message)

    def _show_predictions(self, record, predictions: list) -> None:
        while self.predictions_box.count():
            widget = self.predictions_box.takeAt(0).widget()
            if widget is not None:
                widget.hide()  # deleteLater waits for the event loop; never paint it meanwhile
                widget.setParent(None)
                widget.deleteLater()
        if record is None:
            self.predictions_box.addWidget(_muted("Select a photo to see what the model thinks of it."))
            return
        if not predictions:
            self.predictions_box.addWidget(_muted("None yet — tag this photo to see what the model thinks."))
            return
        if is_unscored(predictions):
            self.predictions_box.addWidget(_muted(FEATURELESS_NOTE[0].upper() + FEATURELESS_NOTE[1:] + "."))
            return
        far_away = far_landmarks(record, predictions[:5], self.places)
        for prediction in predictions[:5]:
            chosen = record is not None and prediction.label == record.label
            bar = ConfidenceBar(prediction.label, float(prediction.score), chosen)
            if prediction.label in far_away:
                bar.setToolTip(f"{prediction.label}: {far_away[prediction.label]:,.0f} km from where this photo "
                               f"was taken, so it keeps {FAR_FACTOR:.0%} of its score")
            self.predictions_box.addWidget(bar)
        note = rescored_note(record, predictions)
        if far_away:
            note = " ".join(part for part in (note, far_note(len(far_away), len(predictions[:5]))) if part)
        if note:
            self.predictions_box.addWidget(_muted(note))


def follow_width(label: QLabel) -> None:
    """The label takes the pane's width and wraps in it instead of asking for the
    width of its longest word, which pushed the pane out of its view."""
    policy = label.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    label.setSizePolicy(policy)


def files_text(record) -> str:
    """The photo's file names for the Files field: "(RAW + JPEG)" after a pair's, and "(a
    JPEG named .NEF)" after a file with a RAW name on a photo the scan found no RAW in
    (it holds a JPEG: app.core.jpeg_named_raw), which the name alone would call a RAW."""
    names = [display_name(path) for path in record.files or [record.path]]
    if record.has_raw:
        return "\n".join(names) + ("   (RAW + JPEG)" if len(names) > 1 else "")
    return "\n".join(name + (f"   (a JPEG named .{name.rpartition('.')[2]})" if file_kind(name) == "raw" else "")
                      for name in names)


def state_text(record, predictions: list, best_guess: str | None = None) -> str:
    """ "suggested  ·  by model  ·  best guess Colosseum, 75%": the label's state, who gave
    it, how sure; for "no landmark" the guess its score is for, named (a bare "75% best
    guess" sent the user down to the predictions to learn of what)."""
    parts = [{"unlabelled": "press Tag folder or Tag selection for suggestions"}.get(record.state, record.state)]
    if record.source:
        parts.append(f"by {record.source}")
    if is_unscored(predictions):
        parts.append("blank frame")  # model.image_detail: no guess to show
    elif record.score is not None and record.state != "unlabelled":
        # for "no landmark" the score is that of the best guess, which fell short
        percent = f"{record.score * 100:.0f}%"
        if record.label:
            parts.append(f"{percent} confidence")
        else:
            parts.append(f"best guess {best_guess}, {percent}" if best_guess else f"{percent} best guess")
    return "  ·  ".join(parts)


def _muted(text: str) -> QLabel:
    """A wrapped line of secondary text."""
    label = QLabel(text)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    return label


def far_note(far_count: int, shown: int) -> str:
    """Why some bars are so short: the photo was taken far from those landmarks."""
    which = "all of these landmarks" if far_count == shown else f"{far_count} of these landmarks"
    return (f"This photo's GPS position is far from {which}, so each keeps {FAR_FACTOR:.0%} of its score "
            "(hover a bar for the distance).")


def far_landmarks(record, predictions: list, places: dict) -> dict[str, float]:
    """{label: km} of the predictions whose landmark lies outside its radius from where
    the photo was taken (model.places): why they score so low."""
    if record is None or record.gps_lat is None or record.gps_lon is None or not places:
        return {}
    import numpy as np

    from model.places import distances_km

    far: dict[str, float] = {}
    for prediction in predictions:
        place = places.get(prediction.label)
        if place is None:
            continue
        km = float(distances_km(record.gps_lat, record.gps_lon, np.array([place.lat]), np.array([place.lon]))[0])
        if km > place.radius_km:
            far[prediction.label] = km
    return far


def rescored_note(record, predictions: list) -> str:
    """Why the label's confidence differs from its bar: the bars are the scores of the
    tagging run, and `suggest` re-scores the model's suggestions once places are taught."""
    if record is None or record.source != "model" or record.score is None or not predictions:
        return ""
    tagged = next((p for p in predictions if p.label == record.label), predictions[0])
    if round(float(tagged.score) * 100) == round(float(record.score) * 100):
        return ""
    return (f"Scores when tagged. Since you taught places of your own, the model's answer is "
            f"{record.score * 100:.0f}% sure.")

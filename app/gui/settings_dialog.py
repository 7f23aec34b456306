"""Settings: model bundle, "no landmark" threshold, sidecar naming, writing into JPEGs.

The dialog edits an AppSettings value; saving is app.core.settings' job.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout,
    QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from app.core.settings import AppSettings

BUNDLE_FILTER = "Model bundles (*.ltbundle);;All files (*)"


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        self._settings = settings
        layout = QVBoxLayout(self)
        layout.setSpacing(14)
        form = QFormLayout()
        form.setVerticalSpacing(12)
        form.setHorizontalSpacing(16)

        self.bundle_field = QLineEdit(settings.model_bundle or "")
        self.bundle_field.setPlaceholderText("the default bundle")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_bundle)
        bundle_row = QWidget()
        row = QHBoxLayout(bundle_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bundle_field, 1)
        row.addWidget(browse)
        form.addRow("Model bundle", bundle_row)

        self.use_bundle_threshold = QCheckBox("Use the bundle's own threshold")
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setValue(settings.threshold if settings.threshold is not None else 0.5)
        self.use_bundle_threshold.setChecked(settings.threshold is None)
        self.threshold.setEnabled(settings.threshold is not None)
        self.use_bundle_threshold.toggled.connect(lambda on: self.threshold.setEnabled(not on))
        form.addRow("No-landmark threshold", self.threshold)
        form.addRow("", self.use_bundle_threshold)

        self.sidecar = QComboBox()
        self.sidecar.addItem("DSC_0001.NEF.xmp (name with extension)", "ext")
        self.sidecar.addItem("DSC_0001.xmp (name without extension)", "stem")
        self.sidecar.setCurrentIndex(max(0, self.sidecar.findData(settings.sidecar_naming)))
        form.addRow("Sidecar names", self.sidecar)

        self.write_into_jpeg = QCheckBox("Write labels into JPEG files too")
        self.write_into_jpeg.setChecked(settings.write_into_jpeg)
        form.addRow("JPEGs", self.write_into_jpeg)
        layout.addLayout(form)
        note = QLabel("RAW files are never modified: their labels go into XMP sidecars.\n"
                      "Changes apply to the next tag or write job.")
        note.setProperty("role", "muted")
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def settings(self) -> AppSettings:
        """The edited settings (validated by the caller before saving)."""
        return replace(
            self._settings,
            model_bundle=self.bundle_field.text().strip() or None,
            threshold=None if self.use_bundle_threshold.isChecked() else round(self.threshold.value(), 4),
            sidecar_naming=self.sidecar.currentData(),
            write_into_jpeg=self.write_into_jpeg.isChecked(),
        )

    def _browse_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a model bundle", self.bundle_field.text(),
                                              BUNDLE_FILTER, options=QFileDialog.Option.DontUseNativeDialog)
        if path:
            self.bundle_field.setText(path)

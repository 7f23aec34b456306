"""The desktop app (PySide6). Widgets call app.core only; long jobs run in workers.

Nothing here is imported by the core or the CLI at import time; `app.gui.app.run_gui`
is the entry point.
"""

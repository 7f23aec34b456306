"""The command-line face of the app: thin commands over app.core."""

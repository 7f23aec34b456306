"""One module per subcommand. Each exposes `register(subparsers)`, which adds its
parser with help text and sets `handler=run`, and `run(args) -> int` (exit code).
Heavy imports (torch, onnxruntime, Qt) happen inside `run`, never at import time."""

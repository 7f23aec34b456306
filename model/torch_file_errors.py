"""Why torch.load could not read a file, in a few words a user can act on.

torch's own messages are long and, for any file that is not a plain torch zip of
tensors (a JSON file given by mistake, random bytes, a pickle of other objects), they
advise re-running torch.load with weights_only=False: that runs the code a pickle
holds, which is never what a user should do with a file that is not ours. The reasons
here never repeat that advice.
"""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path

_ZIP_START = b"PK\x03\x04"


def torch_load_failure(path: Path, exc: BaseException) -> str:
    """The reason `path` could not be read by torch.load(weights_only=True), which
    raised `exc`: not a torch file, a torch file cut short, or one holding Python objects
    (which are not loaded)."""
    try:
        with open(path, "rb") as f:
            start = f.read(len(_ZIP_START))
        whole_zip = zipfile.is_zipfile(path)
    except OSError as error:
        return f"cannot be read: {error.strerror or error}"
    if not start:
        return "an empty file"
    if start != _ZIP_START:
        return "not a torch zip file"
    if not whole_zip:
        return "a zip file cut short or damaged; copy it again"
    if isinstance(exc, pickle.UnpicklingError):
        return "it holds Python objects, not only tensors and plain values; they are not loaded"
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if not first_line or "weights_only" in first_line:
        return f"torch cannot read it ({type(exc).__name__})"
    return f"torch cannot read it: {first_line[:200]}"

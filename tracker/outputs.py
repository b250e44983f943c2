"""Where commands write files: never over their input, never replacing a device, never half-written.

An output that is a regular file (or does not exist yet) is written to a hidden temporary file beside
it and renamed over it once complete, so a failed command leaves the old file or nothing. A symlink is
followed, so the file it points to is written and the link stays a link. A FIFO, a character device
(`/dev/null`, a terminal) or a socket is written to directly, as a stream: renaming over it would
replace the device with a regular file. An output that is one of the command's inputs is refused
before anything is opened for writing.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from .errors import TrackerError


class OutputError(TrackerError):
    """An output path cannot be written as asked; the message names it and why."""


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def resolve_output(path: str | Path, inputs: Iterable[str | Path] = ()) -> tuple[Path, bool]:
    """(the file to write, whether to stream to it) for `path`; OutputError when it cannot be written."""
    path = Path(path)
    target = Path(os.path.realpath(path))
    for given in inputs:
        if _same(target, Path(given)):
            raise OutputError(f"{path}: the output is the input file {given}; write to another file")
    if not target.parent.is_dir():
        raise OutputError(f"{path}: the folder {target.parent} does not exist")
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target, False
    if stat.S_ISDIR(mode):
        raise OutputError(f"{path} is a folder; give a file name")
    return target, not stat.S_ISREG(mode)


@contextlib.contextmanager
def output_file(path: str | Path, *, inputs: Iterable[str | Path] = (), binary: bool = False,
                encoding: str = "utf-8", newline: str | None = "") -> Iterator[IO]:
    """A file object for `path`, written atomically when it is a regular file (see the module docstring)."""
    target, stream = resolve_output(path, inputs)
    kwargs = {} if binary else {"encoding": encoding, "newline": newline}
    mode = "wb" if binary else "w"
    if stream:
        try:
            fh = open(target, mode, **kwargs)  # noqa: SIM115 - closed below
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
        with fh:
            yield fh
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write into {target.parent}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
        _keep_mode(tmp, target)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _keep_mode(tmp: str, target: Path) -> None:
    """The new file gets the old one's permissions, or the usual ones (mkstemp's are owner-only)."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)

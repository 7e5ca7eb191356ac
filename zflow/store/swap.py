"""Putting a new file in the place of an existing one by swapping the two names (Linux ``renameat2`` with
``RENAME_EXCHANGE``), then removing the old file. A plain rename over an existing file makes ext4 start writing the
new file's data to the disk before the rename returns (``auto_da_alloc``), ~1 ms a file on a busy disk and up to
several; a swap does not. Both are atomic for readers: they find the old file or the new one. Where the system
cannot swap, a plain rename."""
from __future__ import annotations

import errno
import os
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
#: Errors that say this system or file system cannot swap (the plain rename is used from then on).
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EPERM}
#: libc's renameat2, looked up at the first replace (None where there is none); empty until then.
_SWAP: list = []


def replace(new: str, path: Path) -> None:
    """Move the file ``new`` to ``path`` (same folder), atomically, replacing what is there."""
    swap = _swapper()
    if swap is not None:
        import ctypes

        if swap(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(path), _RENAME_EXCHANGE) == 0:
            _drop_old(new, path)
            return
        code = ctypes.get_errno()
        if code in _UNSUPPORTED:
            _SWAP[0] = None
        elif code != errno.ENOENT:  # ENOENT: nothing to replace yet, a plain rename it is
            raise OSError(code, os.strerror(code), str(path))
    os.replace(new, path)


def _swapper():
    if not _SWAP:  # ctypes is imported at the first replace, not by every zflow command
        import ctypes

        try:
            function = ctypes.CDLL(None, use_errno=True).renameat2
            function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        except (AttributeError, OSError):
            function = None
        _SWAP.append(function)
    return _SWAP[0]


def _drop_old(old: str, path: Path) -> None:
    """Remove what was at ``path`` (now named ``old``); a folder that was there is put back and refused."""
    try:
        os.unlink(old)
    except IsADirectoryError:
        _SWAP[0](_AT_FDCWD, os.fsencode(old), _AT_FDCWD, os.fsencode(path), _RENAME_EXCHANGE)
        os.unlink(old)
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path)) from None

"""Reading a large exported array without keeping the whole of it resident.

The hidden process memory-maps large exported arrays read-only (the grader's `LazyValues`, artifacts.py).
A page of a mapping counts in the process's RSS once read, and the kernel maps the neighbouring
pages along with it (fault-around), so reading one class of the training set, or 3,000 rows spread
across it, made the whole file resident: 188 MB as float32, 376 MB as float64, the hidden process's
peak (issue 24). Here such an array is read block by block and each block's pages are handed back
(`madvise(MADV_DONTNEED)`); they come back from the page cache if read again. Only read-only
mappings are handed back: on a copy-on-write one the kernel would drop what was written to it.
Arrays that are not mapped are read as numpy reads them, in one go.
"""
import mmap

import numpy as np

BLOCK_BYTES = 8 << 20  # what one block keeps resident; small next to the arrays, large next to a row


def read_only_map(array) -> mmap.mmap | None:
    """The read-only mapping `array`'s memory belongs to, else None (a plain or writable array)."""
    node, read_only = array, False
    while node is not None:
        if isinstance(node, np.memmap) and node.mode == "r":
            read_only = True
        if isinstance(node, mmap.mmap):
            return node if read_only else None
        node = getattr(node, "base", None)
    return None


def release(array) -> None:
    """Hand back the resident pages of the read-only mapping under `array`; nothing otherwise."""
    mapping = read_only_map(array)
    if mapping is None or not hasattr(mapping, "madvise"):  # madvise: Linux and macOS Pythons
        return
    try:
        mapping.madvise(mmap.MADV_DONTNEED)
    except (OSError, ValueError):  # a closed mapping, a kernel that refuses: only memory is at stake
        pass


def row_blocks(array, block_bytes: int | None = None):
    """(start, stop) ranges of `array`'s rows, one block at a time; a mapped array's pages are handed
    back after each block. A plain array comes in one block (nothing to hand back)."""
    n = len(array)
    if read_only_map(array) is None:
        yield 0, n
        return
    row_bytes = max(1, array.itemsize * int(np.prod(array.shape[1:], dtype=np.int64)))
    step = max(1, (block_bytes or BLOCK_BYTES) // row_bytes)
    for start in range(0, n, step):
        yield start, min(n, start + step)
        release(array)


def take(array, rows) -> np.ndarray:
    """`array[rows]` for a boolean mask or increasing indices of the first axis, read block by block
    when `array` is mapped (the same numbers, in a plain array)."""
    rows = np.asarray(rows)
    if read_only_map(array) is None:
        return np.asarray(array[rows])
    if rows.dtype == bool and rows.shape == (len(array),):
        rows = np.flatnonzero(rows)  # the same rows, in order
    if rows.ndim != 1 or rows.dtype.kind not in "iu" or np.any(np.diff(rows) < 0) or (
            rows.size and (rows[0] < 0 or rows[-1] >= len(array))):
        return np.asarray(array[rows])  # not the checks' increasing indices: numpy's own answer or error
    parts = []
    for a, b in row_blocks(array):
        lo, hi = np.searchsorted(rows, [a, b])
        parts.append(np.asarray(array[rows[lo:hi]]))
    return np.concatenate(parts) if parts else np.asarray(array[rows])

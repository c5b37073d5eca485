"""Work gathered while a bulk loop runs, done once when it ends.

A bulk service tells its receivers about each row (one ``enrollment_changed`` per student of a roster
import, so that every receiver keeps a single contract). A receiver whose work is far cheaper in bulk —
chats' roster sync — gathers instead of acting per row: ``gather(flush, key, items)`` adds the items
under ``(flush, key)`` while a ``batch()`` is open on this thread and returns True; at the end of the
outermost batch each ``flush(key, items)`` is called once, with every item gathered for it, in the order
first gathered. Outside a batch ``gather`` returns False and the caller acts at once.

A flush that raises is logged and does not stop the others (the loop's rows are committed already).
"""

import logging
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)

_state = threading.local()


@contextmanager
def batch() -> Iterator[None]:
    """Gather ``gather``'s items until the end of the outermost batch, then flush each once."""
    if getattr(_state, "pending", None) is not None:
        yield  # an inner batch: the outer one flushes
        return
    _state.pending = {}
    try:
        yield
    finally:
        pending, _state.pending = _state.pending, None
        for (flush, key), items in pending.items():
            try:
                flush(key, items)
            except Exception:
                logger.exception("batched work failed", extra={"flush": getattr(flush, "__qualname__", "?")})


def gather(flush: Callable[[Hashable, list], None], key: Hashable, items: Iterable) -> bool:
    """Add ``items`` for ``flush(key, …)`` at the end of the open batch; False when no batch is open."""
    pending = getattr(_state, "pending", None)
    if pending is None:
        return False
    pending.setdefault((flush, key), []).extend(items)
    return True

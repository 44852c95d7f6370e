# SPDX-License-Identifier: MIT
"""The signal mask that signal watches change, and its restoration.

Submitting a signal watch blocks its signals in the submitting thread, and
the C library never unblocks them. AsyncContext.signals records, per thread
and signal, whether the signal was unblocked before the first watch of this
module blocked it; when the last such watch of that thread ends, the signal
is unblocked again. A signal the program had blocked itself stays blocked.
"""

import signal
import threading

_lock = threading.Lock()
# (thread id, signo) -> [watches, whether the signal was unblocked before them]
_watches = {}


def acquire(signals):
    """Note the mask of this thread before a watch of ``signals`` is submitted.

    Returns the token release() takes.
    """
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    tid = threading.get_ident()
    with _lock:
        for s in signals:
            w = _watches.get((tid, s))
            if w is None:
                _watches[(tid, s)] = [1, s not in blocked]
            else:
                w[0] += 1
    return (tid, frozenset(signals))


def release(token):
    """The watch of token ended: unblock what no other watch of this thread needs.

    Must run in the thread that called acquire().
    """
    tid, signals = token
    unblock = []
    with _lock:
        for s in signals:
            w = _watches.get((tid, s))
            if w is None:
                continue
            w[0] -= 1
            if w[0] == 0:
                del _watches[(tid, s)]
                if w[1]:
                    unblock.append(s)
    if unblock:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, unblock)

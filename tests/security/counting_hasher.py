"""A password hasher for tests that counts how many passwords were checked.

It takes 50 ms a check, as a real hasher takes at least that long: the window in which parallel
sign-in attempts can all pass a throttle's check before any of them records its failure.
"""

from __future__ import annotations

import threading
import time

from django.contrib.auth.hashers import MD5PasswordHasher


class CountingHasher(MD5PasswordHasher):
    algorithm = "counting_md5"
    checked = 0
    _lock = threading.Lock()

    def verify(self, password, encoded):
        with CountingHasher._lock:
            CountingHasher.checked += 1
        time.sleep(0.05)
        return super().verify(password, encoded)

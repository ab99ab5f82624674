"""Suite-wide settings: the slowest test files are collected first.

The suite runs on two processes (pytest-xdist, ``--dist loadfile``: a file stays on one process).
Files are handed out in collection order, so a long file collected last would leave one process
working alone at the end; starting with the long ones keeps both busy until the end.
"""

from __future__ import annotations

#: Test files that take longest (seconds on the 2-core machine, `pytest --durations=0`), longest first.
SLOW_FIRST = ["test_resume.py", "test_faults.py", "test_cli.py", "test_concurrency.py", "test_fuzz.py",
              "test_review.py", "test_hardening_review.py", "test_fetch.py"]


def pytest_collection_modifyitems(config, items) -> None:
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FIRST)))  # stable: the rest keep their order

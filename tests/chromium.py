"""The system Chromium that the browser suites drive through Playwright (no browser download): where it
is and how it is started. The ``browser`` fixture (one headless Chromium per module) is in conftest.py.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("NEWSMINE_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

"""What a test needs from the machine (PostgreSQL, Chromium, LibreOffice, pdftotext): missing on a developer's
machine, the test is skipped and says why; missing on CI (CI=true), the test fails — a CI run that skipped the
PostgreSQL or browser tests would pass without having checked them."""
import os

import pytest

ON_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing(message: str) -> None:
    """A required tool or server is not there: fail on CI, skip elsewhere (never returns)."""
    if ON_CI:
        pytest.fail(f"{message} — на CI это ошибка, а не пропуск теста")
    pytest.skip(message)

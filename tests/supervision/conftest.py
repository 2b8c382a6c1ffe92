"""The supervision tests share routing's small Shanghai (tests/routing/conftest.py: ``world``)."""
from tests.routing.conftest import world  # noqa: F401

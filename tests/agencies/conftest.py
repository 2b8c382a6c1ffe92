"""The agency tests share the routing tests' small Shanghai (the ``world`` fixture)."""
from tests.routing.conftest import world  # noqa: F401

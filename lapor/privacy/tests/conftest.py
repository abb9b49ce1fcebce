# The shared organisation tree fixture (tests/conftest.py only covers tests/).
from tests.conftest import tree  # noqa: F401

"""How many examples a property test runs, scaled to the loaded Hypothesis profile.

A test's own `@settings(max_examples=N)` wins over any profile, so the fast loop's profile alone
could not shorten those tests. They write `@settings(max_examples=scaled(N))` instead: N under the
default and "ci" profiles (100 examples by default), a tenth of it under "fast" (10). The profile is
loaded in tests/conftest.py before any test module is imported.
"""

from hypothesis import settings

DEFAULT_MAX_EXAMPLES = 100


def scaled(examples: int) -> int:
    return max(1, examples * settings.default.max_examples // DEFAULT_MAX_EXAMPLES)

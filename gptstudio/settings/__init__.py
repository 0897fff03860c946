"""Settings split by purpose: base (shared), local (make run), test (pytest), production.

Every deployment-specific value comes from the environment (django-environ); the modules differ
only in defaults that are safe for their purpose. See docs/REFERENCE.md for the variable table.
"""

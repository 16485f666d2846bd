"""Empty: see urls.py."""

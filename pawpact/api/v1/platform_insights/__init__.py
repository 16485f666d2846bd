"""Platform admins' insights API, on the public domain: every shop ranked, risk overrides."""

"""The platform's funding API, on the public domain, for platform admins only."""

"""Shop risk controls: daily figures from drained events, the automatic state machine
(healthy → watch → blocked_new_signings → healthy) and platform admins' overrides."""

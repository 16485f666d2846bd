"""The shop's own KPIs and its standing among peers (anonymous quartiles)."""

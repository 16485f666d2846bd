"""Shop KPIs from drained events: facts per month, definitions, cross-shop benchmarks,
monthly reports and the server-side charts of the dashboards. Reads public tables only."""

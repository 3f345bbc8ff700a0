"""Items over time: status on a date, China's working days, the lifecycle warnings."""

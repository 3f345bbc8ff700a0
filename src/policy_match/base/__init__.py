"""The ground floor: what every layer may use and that uses nothing of the package — the
clock ("today" in China) and the message catalogue (every sentence a person reads, zh/en)."""

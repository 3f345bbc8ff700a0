"""What departments do with matches, one folder per job; apps do not import each other."""

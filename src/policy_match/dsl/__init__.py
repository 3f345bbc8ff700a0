"""Rule text → AST → typed IR: the language front end."""

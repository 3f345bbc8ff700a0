"""Enterprise data: records, the tag schema, tables parsed column-wise, and file formats."""

"""Programs over the library that are not part of it: the enterprise generator, the demo."""

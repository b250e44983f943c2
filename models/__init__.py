"""tracker's knowledge, as data: vocabularies, gazetteers, patterns, settings and trained weights.

This folder sits at the top of the checkout and ships inside the wheel as the package `tracker.models`;
code reads it through `tracker.paths` (importlib.resources), never by a path relative to the checkout.
Every file is commented; README.md in this folder lists them.
"""

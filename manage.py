#!/usr/bin/env python
"""Django's manage.py, kept for habit; `shuraba` is the same thing."""

from shuraba.cli import main

if __name__ == "__main__":
    main()

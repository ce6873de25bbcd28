"""Trove: search Pixabay's images and videos and keep favorites."""

__version__ = "1.0.0"

"""Searching Pixabay's images and videos, cached and normalised."""

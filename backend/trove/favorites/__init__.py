"""The images and videos each user keeps."""

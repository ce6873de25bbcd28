"""Trove's benchmarks, side by side with a bare Sanic app: `python -m bench`.

Nothing here runs as a test. Every server it starts listens on 127.0.0.1,
every load it sends is bounded in time and in count, and every database it
creates is dropped before it exits.
"""

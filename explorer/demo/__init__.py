"""The demo driver server: an offline stand-in for a Puter server, in either wire generation."""

from explorer.demo.app import create_app
from explorer.demo.server import DemoServer, serve_forever

__all__ = ["DemoServer", "create_app", "serve_forever"]

"""The joint-meeting office's console: overdue items, traces, scorecards and liaison officers,
read-only over the audit store, in Chinese."""

from hub.supervision.console.app import create_console_app
from hub.supervision.console.server import DEFAULT_HOST, DEFAULT_PORT, ConsoleServer

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "ConsoleServer", "create_console_app"]

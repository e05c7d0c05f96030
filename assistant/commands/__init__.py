"""CLI commands: one module each, discovered by assistant.cli (``register(subparsers)``)."""

"""lockforensics: forensic analyzer for OpenClaw gateway session-lock incidents."""

__version__ = "0.1.0"

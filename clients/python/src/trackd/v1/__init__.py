"""Generated from proto/trackd/v1 by `make gen`. Do not edit."""

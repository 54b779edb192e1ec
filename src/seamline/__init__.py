"""Seamline: plain-language API integration tests."""

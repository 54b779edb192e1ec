"""Managed services: the services Seamline starts itself for a run, and stops at its end."""

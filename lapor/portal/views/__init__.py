"""Citizen pages, one module per page group; each view parses, asks, calls one service."""

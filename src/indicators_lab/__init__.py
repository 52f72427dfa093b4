"""Indicators Lab: propose a limited set of indicators for the Global Compact for Migration."""

__version__ = "0.1.0"

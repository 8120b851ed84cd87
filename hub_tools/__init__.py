"""Gaokerena Hub tools: local Hub server, dataset builders, evaluation, cards and release publishing."""

__version__ = "0.1.0"

"""Surveys and course evaluations: definitions, answering, anonymity, reports."""

"""Benchmarks behind `forumbot bench ...`: they print figures; tests never time anything."""

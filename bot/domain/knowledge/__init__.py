"""Answers about procedures from the partnership's own documents: ingest, retrieve, triage, quote."""

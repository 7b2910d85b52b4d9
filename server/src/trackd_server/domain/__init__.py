"""Entities and errors shared by every layer of the server; depends on nothing else."""

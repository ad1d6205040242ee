"""Argus: a serverless platform for community policing and neighbourhood watch programmes."""

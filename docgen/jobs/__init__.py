"""Batch jobs on a durable queue (huey): the queue, its consumers, ``docgen worker``.

The jobs themselves (submit, run, resume, recover) are in :mod:`docgen.web.jobs`.
"""

"""Tools the assistant can call: calculator, API catalog operations, document retrieval.

Each tool module implements `tools.base.Tool`; `tools.registry.build_tools` is the one place they are
assembled from configuration.
"""

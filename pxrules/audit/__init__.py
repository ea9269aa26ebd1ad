"""The tamper-evident audit trail: a hash chain of every store write, its verification, and export bundles."""

"""The audit log: append-only, hash-chained, written only by `services.audit_record`
and `audit_via`, checked by `tellonce audit verify` (README.md)."""

"""TellOnce's record linkage engine: plain Python around Splink 5, no Django.

Owns knowing that two agencies' records are the same child. Batch: `train` a model on
the records themselves, `predict` scored pairs, `cluster_records` them into persons
(keeping twins apart, see `clustering`). Real time:
`query_keys`/`index_keys` find the candidates Splink's blocking rules would, and
`Scorer` scores each pair in microseconds, in plain Python, with the same result as
Splink. Records are canonical mappings (see `records`), always passed through
`prepare_record(s)` so both paths compare identical values.

The Django app around it (models, services, commands) lives in `tellonce.linkage`.
"""

from tellonce.linkage.engine.blocking import BlockingRule, blocking_rules, index_keys, query_keys
from tellonce.linkage.engine.clustering import (
    Clustering,
    ScoredPair,
    cluster_constrained,
    cluster_records,
    identifiers_of,
    twin_conflicts,
)
from tellonce.linkage.engine.model import (
    DEFAULT_MATCH_THRESHOLD,
    LinkType,
    build_settings,
    cluster,
    explain_pair,
    model_fields,
    predict,
    term_frequencies,
    train,
)
from tellonce.linkage.engine.records import (
    CANONICAL_FIELDS,
    TfTables,
    compute_tf_tables,
    prepare_record,
    prepare_records,
    present_fields,
)
from tellonce.linkage.engine.scorer import (
    Contribution,
    ModelParameters,
    Score,
    Scorer,
    match_weight_to_probability,
    probability_to_match_weight,
)

__all__ = [
    "CANONICAL_FIELDS",
    "DEFAULT_MATCH_THRESHOLD",
    "BlockingRule",
    "Clustering",
    "Contribution",
    "LinkType",
    "ModelParameters",
    "Score",
    "ScoredPair",
    "Scorer",
    "TfTables",
    "blocking_rules",
    "build_settings",
    "cluster",
    "cluster_constrained",
    "cluster_records",
    "compute_tf_tables",
    "explain_pair",
    "identifiers_of",
    "index_keys",
    "match_weight_to_probability",
    "model_fields",
    "predict",
    "prepare_record",
    "prepare_records",
    "present_fields",
    "probability_to_match_weight",
    "query_keys",
    "term_frequencies",
    "train",
    "twin_conflicts",
]

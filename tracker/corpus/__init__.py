"""The annotated corpus: texts written from real reports, with gold events (docs/annotation.md).

`check` validates records against the contract's vocabulary so an annotation mistake is caught
where it was made; `load` reads the corpus for training and scoring; `split` assigns documents to
train/dev/test once and for all. Only the standard library and `tracker.vocabulary` are imported,
so annotators can run the check without the NLP stack.
"""

from .check import Problem, check_files, check_record
from .store import CORPUS_FIELDS, iter_records, load

__all__ = ["CORPUS_FIELDS", "Problem", "check_files", "check_record", "iter_records", "load"]

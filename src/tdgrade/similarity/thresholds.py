"""When a pair is flagged: read by the analysis (`PairResult`) and said in the report section."""

CODE_SHARE = 0.5     # share of one student's own code found in the other's
CODE_MIN_OVERLAP = 60  # filtered tokens in common: below this, a few shared lines, not a copy
TEXT_SCORE = 0.8     # cosine similarity of two written answers to one question

"""Certificate Transparency: reading logs that serve the static CT API (checkpoint, hash and
data tiles, issuers), verifying what they serve against the log's key and Merkle tree before
anything is stored, and keeping each entry's leaf as the facts impact questions need.

Modules: :mod:`.merkle` (RFC 6962 tree hashing over tiles), :mod:`.tree` (a checkpoint's
tree, its tiles authenticated before use), :mod:`.checkpoint` (signed checkpoints),
:mod:`.tiles` (tile paths and the entries of data tiles), :mod:`.leaves` (the facts kept of
each leaf), :mod:`.source` (where tiles come from), :mod:`.loglist` (logs named in a v3 log
list), :mod:`.sync` (the incremental, resumable sync) and :mod:`.files` (leaves read from
certificate files instead of a log).
"""

"""Which signature hashes a path may use below its anchor, as of a date.

A verified SHA-1 edge stays in the graph; whether a path at time T may use it is a policy
question. The default table follows the browsers' Web PKI history:

========  ===================  ===========================================================
hash      not accepted from    source
========  ===================  ===========================================================
md2       always refused       never accepted for certificate signatures in the Web PKI;
                               ``cryptography`` cannot check it either
md4       always refused       as md2
md5       2011-06-30           Mozilla's announced end of MD5 for intermediate and
                               end-entity certificates (dev-security-policy, 2010)
sha1      2017-01-01           the browsers' announced end of SHA-1 certificate
                               signatures below the anchor (shipped in Chrome 56 and
                               Firefox 51/52, early 2017)
========  ===================  ===========================================================

Other hashes (SHA-2, SHA-3, SM3, Ed25519/Ed448) have no cut-off. The anchor's own
certificate is never judged. Override with a TOML file (``--signature-policy FILE``)::

    [not_accepted_from]
    sha1 = "2017-01-01"   # or "always", or "never" to accept it at any date
    md5 = "always"

or ``--signature-policy permissive`` to accept every hash at every date. Hash names are read
without regard to case, hyphens or underscores (``SHA-1`` is ``sha1``, ``SHA3_256`` is
``sha3-256``); a name of no hash trustgraph knows refuses the file, so a misspelling never
leaves a hash accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trustgraph.core.reading import TomlError, read_toml
from trustgraph.errors import UsageError
from trustgraph.x509.signatures import HASH_NAMES

ALWAYS = "always"
NEVER = "never"

DEFAULT_TABLE: dict[str, str] = {
    "md2": ALWAYS,
    "md4": ALWAYS,
    "md5": "2011-06-30T00:00:00Z",
    "sha1": "2017-01-01T00:00:00Z",
}


@dataclass(frozen=True)
class SignaturePolicy:
    """Hash name -> ISO time from which certificates signed with it are refused (or
    ``always``). Hashes not in the table are accepted at any date."""

    name: str = "default"
    not_accepted_from: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TABLE))

    def refuses(self, hash_name: str | None, at_iso: str) -> bool:
        """Whether a certificate signed with ``hash_name`` is refused at ``at_iso``."""
        if hash_name is None:
            return False
        cutoff = self.not_accepted_from.get(hash_name)
        if cutoff is None:
            return False
        return cutoff == ALWAYS or at_iso >= cutoff

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "not_accepted_from": dict(sorted(self.not_accepted_from.items())),
        }


DEFAULT = SignaturePolicy()
PERMISSIVE = SignaturePolicy("permissive", {})


def load_policy(spec: str | None) -> SignaturePolicy:
    """The policy named by ``spec``: None or ``default``, ``permissive``, or a TOML file.

    Raises:
        UsageError: the file is missing, not TOML, or has a malformed entry.
    """
    if spec in (None, "default"):
        return DEFAULT
    if spec == "permissive":
        return PERMISSIVE
    path = Path(spec)
    try:
        _text, data = read_toml(path)
    except TomlError as exc:
        raise UsageError(f"signature policy file {exc}") from exc
    table = data.get("not_accepted_from")
    if not isinstance(table, dict):
        raise UsageError(f"{path}: expected a [not_accepted_from] table of hash = date")
    result: dict[str, str] = {}
    for written, value in table.items():
        hash_name = _hash_name(path, written)
        if hash_name in result:
            raise UsageError(f"{path}: not_accepted_from names {hash_name} twice")
        if value == NEVER:
            continue
        if value == ALWAYS:
            result[hash_name] = ALWAYS
            continue
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise UsageError(
                f"{path}: not_accepted_from.{written} = {value!r} is not a date, "
                f"'always' or 'never'"
            ) from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        result[hash_name] = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return SignaturePolicy(str(path), result)


_COMPACT = {name.replace("-", ""): name for name in HASH_NAMES}


def _hash_name(path: Path, written: str) -> str:
    """The hash a policy file names, whatever its case, hyphens or underscores.

    Raises:
        UsageError: it names no hash trustgraph knows.
    """
    compact = written.strip().lower().replace("-", "").replace("_", "")
    if compact not in _COMPACT:
        raise UsageError(
            f"{path}: not_accepted_from.{written}: no such signature hash; known: "
            f"{', '.join(sorted(HASH_NAMES))}"
        )
    return _COMPACT[compact]

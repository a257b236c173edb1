"""RFC 5280 section 4.2.1.10 name constraints, checked against a certificate's names.

A certificate's names are its subject DN (for directoryName constraints), its subject
emailAddress attributes and rfc822Name SANs (email), dNSName SANs, iPAddress SANs and URI
SANs. For each name type that a constraint's permitted subtrees mention, every name of
that type must fall in one of them; no name may fall in an excluded subtree. Name types a
constraint does not mention are unconstrained.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from trustgraph.x509.names import EMAIL_ADDRESS
from trustgraph.x509.stored import GeneralName, NameConstraints


@dataclass(frozen=True, slots=True)
class CertificateNames:
    """The names of one certificate that name constraints apply to."""

    subject_key: str
    san: tuple[GeneralName, ...]

    def all_names(self) -> list[GeneralName]:
        names: list[GeneralName] = list(self.san)
        rdns = _parse_key(self.subject_key)
        if rdns:
            names.append(("dn", self.subject_key))
        names.extend(("email", value) for rdn in rdns for oid, value in rdn if oid == EMAIL_ADDRESS)
        return names


@lru_cache(maxsize=65536)
def _parse_key(key: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    return tuple(tuple((oid, value) for oid, value in rdn) for rdn in json.loads(key))


def satisfies(names: CertificateNames, constraints: NameConstraints) -> bool:
    """Whether every name of the certificate is allowed by ``constraints``."""
    all_names = names.all_names()
    for name in all_names:
        if any(_matches(name, base) for base in constraints.excluded):
            return False
    if constraints.permitted is None:
        return True
    constrained_kinds = {kind for kind, _ in constraints.permitted}
    for name in all_names:
        if name[0] not in constrained_kinds:
            continue
        if not any(_matches(name, base) for base in constraints.permitted):
            return False
    return True


def _matches(name: GeneralName, base: GeneralName) -> bool:
    kind, value = name
    base_kind, base_value = base
    if kind != base_kind:
        return False
    if kind == "dns":
        return _dns_within(value, base_value)
    if kind == "email":
        return _email_within(value, base_value)
    if kind == "ip":
        return _ip_within(value, base_value)
    if kind == "dn":
        return _dn_within(value, base_value)
    if kind == "uri":
        host = urlsplit(value).hostname or ""
        return _dns_within(host, base_value)
    return False


def _dns_within(name: str, base: str) -> bool:
    name = name.lower().rstrip(".")
    base = base.lower().rstrip(".")
    if not base:
        return True
    if base.startswith("."):
        return name.endswith(base)
    return name == base or name.endswith("." + base)


def _email_within(address: str, base: str) -> bool:
    address = address.lower()
    base = base.lower()
    if "@" in base:
        return address == base
    host = address.rsplit("@", 1)[-1]
    if base.startswith("."):
        return host.endswith(base)
    return host == base


def _ip_within(address: str, base: str) -> bool:
    try:
        network = ipaddress.ip_network(base, strict=False)
        return ipaddress.ip_address(address.split("/")[0]) in network
    except ValueError:
        return False


def _dn_within(subject_key: str, base_key: str) -> bool:
    subject = _parse_key(subject_key)
    base = _parse_key(base_key)
    return len(base) <= len(subject) and all(
        sorted(subject[i]) == sorted(base[i]) for i in range(len(base))
    )

"""A lake's data in an S3-compatible bucket: which URLs work, credentials, one probe.

``--lake-data`` is a folder or ``s3://BUCKET/PREFIX/``.  DuckDB reads and writes such
URLs through its ``httpfs`` extension (loaded from its pinned wheel, like the others:
:mod:`ingest.extensions`), given a *secret* on the connection.  The secret is built
from the environment a data engineer already has for ``aws``/boto3:
``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN`` (optional),
``AWS_REGION``/``AWS_DEFAULT_REGION``, and for a server other than AWS (MinIO, Ceph,
R2, GCS's XML API...) ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL``; an ``http://``
endpoint means no TLS, and a non-AWS endpoint is addressed path-style
(``host/bucket/key``), which every S3-compatible server accepts.  The secret lives on
the in-memory connection only (never persisted, never printed), scoped to the bucket.

Only ``s3://`` is taken.  httpfs also knows ``r2://`` and ``gcs://``/``gs://``, but
their secrets need settings no standard variable carries (R2's account id, GCS's HMAC
keys), and both are the S3 protocol at a known endpoint, so ``s3://`` with that
endpoint does the same; ``http(s)://`` is read-only in DuckDB, and a lake is written.
Each is refused with one line saying what to write instead.

Uploads go in parts of 5 MB (see :data:`MAX_FILE`).  Before the lake is attached,
:func:`connect` lists one key prefix nobody writes (one cheap request, whatever the
lake's size), so wrong credentials, a missing bucket or an unreachable endpoint are
one line before any work, not a failure deep in a run; :func:`explain` words what can
still fail later (a key allowed to list but not to write, the network going away
mid-run) the same way.  Messages name the bucket and the endpoint, never a key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import duckdb

from .. import extensions
from ..config import ConfigError
from ..failures import RunFailure
from ..sql import literal

SECRET = "ingest_lake_data"  # the secret's name on ingest's connections
PROBE = ".ingest-probe-"  # a key prefix the probe lists (ingest never writes one)
# httpfs uploads a file in parts of (largest file / 10,000 parts), each part a buffer in
# memory: its default, 800 GB, makes 80 MB parts, more than the 64 MB a lake connection
# starts with (every write failed "could not allocate block of size 76.5 MiB").  50 GB,
# the least it takes, makes 5 MB parts (aws-cli uses 8 MB): DuckLake's files stay far
# below 50 GB.
MAX_FILE = "50GB"
_SAME_PROTOCOL = {
    "r2": "s3://BUCKET/PREFIX/ with AWS_ENDPOINT_URL=https://ACCOUNT_ID.r2.cloudflarestorage.com",
    "gcs": "s3://BUCKET/PREFIX/ with AWS_ENDPOINT_URL=https://storage.googleapis.com "
    "and an HMAC key in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
}
_SAME_PROTOCOL["gs"] = _SAME_PROTOCOL["gcs"]


class LakeDataError(RunFailure):
    """The lake's bucket cannot be used: refused credentials, no such bucket, no server."""


@dataclass(frozen=True)
class Bucket:
    """Where a lake's data is: ``s3://bucket/prefix/``."""

    name: str
    prefix: str  # "" or "a/b/"

    @property
    def url(self) -> str:
        """The data path DuckLake is given (always ending in ``/``)."""
        return f"s3://{self.name}/{self.prefix}"


def is_remote(data: str) -> bool:
    """Whether ``--lake-data`` is a URL rather than a folder."""
    return "://" in data


def bucket_of(data: str) -> Bucket:
    """The bucket of an ``s3://`` data URL; a :class:`ConfigError` for any other URL."""
    scheme = data.split("://", 1)[0].lower()
    if scheme in _SAME_PROTOCOL:
        raise ConfigError(
            f"--lake-data {data}: {scheme}:// is not taken; write {_SAME_PROTOCOL[scheme]}"
        )
    if scheme in ("http", "https"):
        raise ConfigError(
            f"--lake-data {data}: DuckDB reads {scheme}:// but cannot write it, and a lake is "
            "written; for an S3-compatible server write s3://BUCKET/PREFIX/ with "
            f"AWS_ENDPOINT_URL={scheme}://HOST[:PORT]"
        )
    if scheme != "s3":
        raise ConfigError(
            f"--lake-data {data}: write a folder or s3://BUCKET/PREFIX/ "
            f"({scheme}:// is not supported)"
        )
    parts = urlsplit(data)
    prefix = parts.path.strip("/")
    if not parts.netloc or parts.query or parts.fragment or "//" in prefix:
        raise ConfigError(f"--lake-data {data}: write s3://BUCKET/PREFIX/ (a bucket, then a path)")
    return Bucket(parts.netloc, prefix + "/" if prefix else "")


@dataclass(frozen=True)
class Access:
    """How to reach the bucket, from the environment (see the module doc)."""

    key_id: str
    secret: str = field(repr=False)
    token: str | None = field(default=None, repr=False)
    region: str | None = None
    endpoint: str | None = None  # host[:port]; None: AWS itself
    use_ssl: bool = True
    path_style: bool = False

    @property
    def where(self) -> str:
        """How messages name the server (never a key)."""
        if self.endpoint is None:
            return "AWS S3"
        return f"{'https' if self.use_ssl else 'http'}://{self.endpoint}"

    def secret_sql(self, bucket: Bucket) -> str:
        """The ``CREATE SECRET`` of this access, scoped to ``bucket`` (not to be logged)."""
        options = [
            "TYPE s3",
            "PROVIDER config",
            f"KEY_ID {literal(self.key_id)}",
            f"SECRET {literal(self.secret)}",
            f"SCOPE {literal(f's3://{bucket.name}/')}",
            f"USE_SSL {str(self.use_ssl).lower()}",
            f"URL_STYLE {literal('path' if self.path_style else 'vhost')}",
        ]
        if self.token:
            options.append(f"SESSION_TOKEN {literal(self.token)}")
        if self.region:
            options.append(f"REGION {literal(self.region)}")
        if self.endpoint:
            options.append(f"ENDPOINT {literal(self.endpoint)}")
        return f"CREATE OR REPLACE TEMPORARY SECRET {SECRET} ({', '.join(options)})"


def access_from_env(data: str, env: Mapping[str, str] | None = None) -> Access:
    """The :class:`Access` the environment gives; a :class:`ConfigError` naming what is
    missing (keys) or malformed (the endpoint)."""
    env = os.environ if env is None else env
    key_id = env.get("AWS_ACCESS_KEY_ID", "").strip()
    secret = env.get("AWS_SECRET_ACCESS_KEY", "").strip()
    if not key_id or not secret:
        raise ConfigError(
            f"--lake-data {data}: no S3 credentials: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (and AWS_ENDPOINT_URL for a server other than AWS)"
        )
    token = env.get("AWS_SESSION_TOKEN", "").strip() or None
    region = (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "").strip() or None
    url = (env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or "").strip()
    if not url:
        return Access(key_id, secret, token, region)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
        raise ConfigError(
            f"AWS_ENDPOINT_URL={url!r}: write http(s)://HOST[:PORT] (the S3 server, no path)"
        )
    host = parts.hostname or ""
    aws = host.endswith(".amazonaws.com")
    return Access(key_id, secret, token, region, parts.netloc, parts.scheme == "https", not aws)


def connect(con: duckdb.DuckDBPyConnection, data: str) -> None:
    """Make ``con`` able to read and write the bucket of ``data``: httpfs from its wheel,
    the secret, then the probe (a :class:`LakeDataError` when the bucket cannot be used)."""
    bucket = bucket_of(data)
    access = access_from_env(data)
    extensions.load(con, "httpfs")
    try:
        con.execute(access.secret_sql(bucket))
    except duckdb.Error:
        # The statement holds the keys and DuckDB may quote it: say nothing of it.
        raise ConfigError(
            f"--lake-data {data}: DuckDB refused the S3 settings from the environment "
            "(AWS_REGION, AWS_ENDPOINT_URL)"
        ) from None
    con.execute(f"SET GLOBAL s3_uploader_max_filesize = '{MAX_FILE}'")
    try:
        # A literal, not a bound parameter: binding one makes DuckDB import pandas (0.4 s).
        con.execute(f"SELECT count(*) FROM glob({literal(bucket.url + PROBE + '*')})").fetchall()
    except duckdb.Error as exc:
        raise LakeDataError(_say(exc, bucket, access)) from None


def explain(exc: BaseException) -> str | None:
    """The one line for an S3 request of DuckDB's that failed after the probe (a key that
    may list but not write, the network gone mid-run), else None."""
    if not type(exc).__module__.startswith(("duckdb", "_duckdb")):
        return None
    try:
        access = access_from_env("s3://")
    except ConfigError:
        return None
    name = _bucket_named(str(exc), access)
    if name is None:
        return None
    said = _say(exc, Bucket(name, ""), access)
    return f"{said}; nothing of the failed run or step was committed to the lake"


def _bucket_named(text: str, access: Access) -> str | None:
    """The bucket a DuckDB error names: as ``s3://bucket/...``, or in the HTTP URL of the
    request (``endpoint/bucket/...`` path-style, ``bucket.s3...amazonaws.com`` on AWS)."""
    patterns = [r"s3://([^/'\s]+)", r"https?://([^/'\s]+?)\.s3[.-][^/'\s]*amazonaws\.com"]
    if access.endpoint:
        patterns.append(re.escape(f"://{access.endpoint}/") + r"([^/?'\s]+)")
    for pattern in patterns:
        found = re.search(pattern, text)
        if found:
            return found.group(1)
    return None


def _say(exc: BaseException, bucket: Bucket, access: Access) -> str:
    """What went wrong with ``bucket``, from DuckDB's error (keys never repeated)."""
    text = str(exc)
    code = _s3_code(text)
    status = re.search(r"HTTP (?:code )?(\d{3})", text)
    if code in ("NoSuchBucket",) or (code is None and status and status.group(1) == "404"):
        return (
            f"the bucket {bucket.name!r} does not exist at {access.where} "
            f"({code or 'HTTP 404'}): create it, or fix --lake-data / AWS_ENDPOINT_URL"
        )
    if status and status.group(1) in ("401", "403"):
        return (
            f"{access.where} refused access to the bucket {bucket.name!r} "
            f"({code or 'HTTP ' + status.group(1)}): check AWS_ACCESS_KEY_ID, "
            "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) and the key's permissions"
        )
    lowered = text.lower()
    if any(w in lowered for w in ("could not connect", "resolve host", "timed out", "timeout")):
        return (
            f"the S3 endpoint {access.where} cannot be reached for the bucket "
            f"{bucket.name!r} ({_quiet(_first(text), access)}): check AWS_ENDPOINT_URL "
            "and the network"
        )
    return f"the bucket {bucket.name!r} at {access.where} failed: {_quiet(_first(text), access)}"


def _s3_code(text: str) -> str | None:
    """The S3 error code DuckDB quotes (``NoSuchBucket: The specified...``), if any."""
    found = re.search(r"\b([A-Z][A-Za-z]+(?:Bucket|Key|KeyId|Match|Denied|Token|Error)): ", text)
    return found.group(1) if found else None


def _first(text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= 160 else line[:157] + "..."


def _quiet(text: str, access: Access) -> str:
    """``text`` without the keys (DuckDB does not print them; this keeps it so)."""
    for value in (access.key_id, access.secret, access.token):
        if value:
            text = text.replace(value, "...")
    return text

"""A lake whose Parquet files live in an S3 bucket: the same lake as in a folder, and
every way the bucket can fail as one line.

The bucket is real S3 over HTTP: moto's standalone server (the one ``moto_server``
runs), started on a free localhost port by this module, with IAM authentication on,
so a wrong key or secret is refused as AWS refuses it (``InvalidAccessKeyId``,
``SignatureDoesNotMatch``) and a key's policy is enforced.  DuckDB talks to it with
its httpfs extension from the pinned wheel; the CLI runs as a subprocess with the
credentials and endpoint in the environment, as a data engineer's shell has them.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest
import requests

from ingest import extensions, failures, schema
from ingest.cli import main
from ingest.config import ConfigError, RunConfig
from ingest.generate import generate_corpus
from ingest.lake import remote
from ingest.lake.snapshots import open_lake, snapshot_ids
from ingest.lake.spec import attach, parse
from ingest.pipeline import run_pipeline
from test_lake import _cli
from wh_helpers import RUN_COLUMNS

BUCKET = "ingest-lake"
TABLES = [*schema.document_tables(), "source_files"]
ALLOW_ALL = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
READ_ONLY = {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": "*"}


@dataclass(frozen=True)
class S3:
    """The running server and two users' keys: one may do anything, one only read."""

    endpoint: str
    keys: tuple[str, str]
    read_only: tuple[str, str]

    def env(self, keys: tuple[str, str] | None = None) -> dict[str, str]:
        key_id, secret = keys or self.keys
        return {
            "AWS_ACCESS_KEY_ID": key_id,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": self.endpoint,
        }

    def client(self) -> Any:
        key_id, secret = self.keys
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            region_name="us-east-1",
        )

    def objects(self, prefix: str) -> dict[str, int]:
        """Key -> size of every object under ``prefix`` of the bucket."""
        pages = (
            self.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        )
        return {o["Key"]: o["Size"] for page in pages for o in page.get("Contents", [])}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3() -> Iterator[S3]:
    """moto's S3 server with one bucket, two IAM users, and authentication switched on."""
    from moto import settings
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        iam = boto3.client(
            "iam", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="setup", aws_secret_access_key="setup",
        )  # fmt: skip
        users = [_user(iam, name, rule) for name, rule in (("eng", ALLOW_ALL), ("ro", READ_ONLY))]
        s3 = S3(endpoint, users[0], users[1])
        s3.client().create_bucket(Bucket=BUCKET)
        # From here on every request must be signed by a known key (moto's IAM check).
        requests.post(f"{endpoint}/moto-api/reset-auth", data=b"0", timeout=10).raise_for_status()
        yield s3
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
        server.stop()


def _user(iam: Any, name: str, rule: dict[str, Any]) -> tuple[str, str]:
    iam.create_user(UserName=name)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [rule]})
    iam.put_user_policy(UserName=name, PolicyName="s3", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


@pytest.fixture
def aws_env(s3: S3, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The good keys and the server in this process's environment (the CLI inherits it)."""
    for name in ("AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    env = s3.env()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def _one_line(done: Any, code: int) -> str:
    """The command failed with ``code`` and said so in one line, no traceback."""
    lines = done.stderr.strip().splitlines()
    assert done.returncode == code and len(lines) == 1, (done.returncode, done.stderr)
    return str(lines[0])


def _tables(lake: str, data: str) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with open_lake(lake, data) as con:
        for name in TABLES:
            cols = [c for c in schema.tables()[name].names if c not in RUN_COLUMNS]
            rows = con.execute(f"SELECT {', '.join(cols)} FROM {name}").fetchall()
            out[name] = sorted(rows, key=repr)
    return out


def _edit_one(src: Path) -> None:
    target = sorted(p for p in src.rglob("*.md") if "bad" not in p.parts)[0]
    target.write_text(target.read_text() + "\n\nA paragraph added by the edit.\n")


def test_a_lake_in_a_bucket_is_the_lake_in_a_folder(
    tmp_path: Path,
    s3: S3,
    aws_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two runs (a cold load, one file changed), then sources, changes and maintain,
    through the CLI: every Parquet file is in the bucket, none on the disk, and the
    tables, sources and change feed equal those of a lake in a folder loaded with the
    same files (by the library and the CLI's entry point, in this process)."""
    src = tmp_path / "mono"
    generate_corpus(src, 8, seed=5, bad_share=0.2)
    # The runs' private folders, to look into (short: a socket's path is at most 107 bytes).
    tmp = Path(tempfile.mkdtemp(prefix="lk-s3-", dir="/tmp"))
    cloud = (f"sqlite:{tmp_path / 'cloud.sqlite'}", f"s3://{BUCKET}/e2e/")
    local = (f"sqlite:{tmp_path / 'local' / 'cat.sqlite'}", str(tmp_path / "local" / "data"))
    for step in (lambda: None, lambda: _edit_one(src)):
        step()
        # The CLI's run into the bucket and the library's into the folder, side by side.
        args = ["run", "--no-prefect", "--no-progress", "--workers", "1", f"mono={src}"]
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ingest.cli",
                *args,
                "--lake",
                cloud[0],
                "--lake-data",
                cloud[1],
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "TMPDIR": str(tmp)},
            cwd=tmp_path,
        )
        cfg = RunConfig(sources=[f"mono={src}"], lake=local[0], lake_data=local[1], workers=1)
        assert run_pipeline(cfg).counts()["loaded"] > 0
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0 and "@ snapshot" in out, err
    before = _tables(*cloud)
    assert before == _tables(*local)
    stored = s3.objects("e2e/")
    assert any(k.startswith("e2e/main/documents/") for k in stored)
    assert all(k.endswith(".parquet") for k in stored)
    on_disk = [p for p in tmp_path.rglob("*.parquet") if "local" not in p.parts]
    assert on_disk == [] and not list(tmp.rglob("*.parquet"))
    shutil.rmtree(tmp)
    feeds = _feeds(cloud, capsys)
    assert feeds == _feeds(local, capsys)
    assert feeds[1]["documents_changed"] == {"added": 0, "changed": 1, "removed": 0}

    done = _cli("lake", "maintain", "--keep", "0", "--lake", cloud[0], "--lake-data", cloud[1])
    assert done.returncode == 0 and "maintained" in done.stdout, done.stderr
    assert _tables(*cloud) == before
    left = s3.objects("e2e/")  # files merged, the old ones expired and deleted
    assert left and len(left) < len(stored) and set(stored) - set(left)


def _feeds(lake: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> tuple[Any, Any]:
    """``sources`` and ``changes --since`` the first run, as JSON, less what names the
    lake or a run: the CLI as a subprocess for the bucket, its entry point in this
    process for the folder."""
    first = min(snapshot_ids(*lake).items(), key=lambda run: run[1])[0]
    opts = ["--lake", lake[0], "--lake-data", lake[1], "--format", "json"]
    out = []
    for args in (["sources", *opts], ["changes", "--since", first, *opts]):
        if lake[1].startswith("s3://"):
            done = _cli(*args)
            assert done.returncode == 0, done.stderr
            text = done.stdout
        else:
            capsys.readouterr()
            assert main(args) == 0
            text = capsys.readouterr().out
        out.append(json.loads(text))
    sources, feed = out
    kept = [
        {k: v for k, v in s.items() if not k.startswith("last_run")} for s in sources["sources"]
    ]
    assert [s["name"] for s in kept] == ["mono"]
    del feed["since"], feed["until"]
    return (sources["meta"], kept), feed


def test_a_parquet_file_larger_than_a_part_goes_up_in_parts(
    tmp_path: Path, s3: S3, aws_env: dict[str, str]
) -> None:
    """A lake file larger than one part (5 MB: httpfs's default, 80 MB, is more memory
    than a lake connection has) is a multipart upload, read back with range requests."""
    spec = parse(f"sqlite:{tmp_path / 'cat.sqlite'}", f"s3://{BUCKET}/big/")
    with duckdb.connect() as con:
        con.execute("SET memory_limit = '64MB'")  # as the run's connection has
        attach(con, spec)
        con.execute(
            "CREATE TABLE wide AS SELECT i, md5(i::VARCHAR) || md5((i * 7)::VARCHAR) AS s "
            "FROM range(300000) t(i)"
        )
        assert con.execute("SELECT count(*), sum(i) FROM wide").fetchone() == (
            300000,
            sum(range(300000)),
        )
    sizes = s3.objects("big/")
    key = max(sizes, key=sizes.__getitem__)
    etag = s3.client().head_object(Bucket=BUCKET, Key=key)["ETag"].strip('"')
    assert sizes[key] > 5 << 20 and int(etag.rsplit("-", 1)[1]) > 1  # "<md5>-<parts>"


@pytest.mark.parametrize(
    ("change", "code", "said"),
    [
        ({"AWS_ACCESS_KEY_ID": None}, 2, "no S3 credentials: set AWS_ACCESS_KEY_ID"),
        (
            {"AWS_ACCESS_KEY_ID": "AKIAWRONGWRONGWRONG1"},
            1,
            "refused access to the bucket 'ingest-lake' (InvalidAccessKeyId)",
        ),
        ({"AWS_SECRET_ACCESS_KEY": "not-the-secret"}, 1, "(SignatureDoesNotMatch)"),
        ({"AWS_ENDPOINT_URL": "http://127.0.0.1:{closed}"}, 1, "cannot be reached"),
        ({"data": "s3://no-such-bucket/lake/"}, 1, "bucket 'no-such-bucket' does not exist"),
        ({"data": "r2://b/lake/"}, 2, "write s3://BUCKET/PREFIX/ with AWS_ENDPOINT_URL=https://"),
        ({"data": "https://host/lake/"}, 2, "cannot write it, and a lake is written"),
    ],
)
def test_a_bucket_that_cannot_be_used_is_one_line_and_nothing_is_written(
    tmp_path: Path,
    s3: S3,
    aws_env: dict[str, str],
    change: dict[str, str | None],
    code: int,
    said: str,
) -> None:
    """No credentials or a URL that is not taken: exit 2 before anything; wrong ones, no
    server, no bucket: exit 1 at the lake's attach, before a catalog exists."""
    src = tmp_path / "mono"
    generate_corpus(src, 2, seed=3, bad_share=0.0)
    env = dict(aws_env)
    data = str(change.pop("data", None) or f"s3://{BUCKET}/fail/")
    for name, value in change.items():
        env[name] = value.format(closed=_free_port()) if value else ""
    catalog = tmp_path / "cat.sqlite"
    done = _cli("run", "--no-prefect", "--workers", "1", f"mono={src}",
                "--lake", f"sqlite:{catalog}", "--lake-data", data,
                env=env, cwd=tmp_path)  # fmt: skip
    line = _one_line(done, code)
    assert said in line and line.startswith("ingest: error: ")
    assert s3.keys[0] not in line and s3.keys[1] not in done.stderr + done.stdout
    assert "not-the-secret" not in line and "AKIAWRONG" not in line
    assert not catalog.exists() and not s3.objects("fail/")


def test_a_key_that_may_read_but_not_write_fails_the_run_in_one_line(
    tmp_path: Path, s3: S3, aws_env: dict[str, str]
) -> None:
    """The probe lists, which a read-only key may: the run starts, its first Parquet write
    is refused (AccessDenied), and it ends in one line; the lake is as it was.  Both
    ways a run writes first: a new document's rows, a changed document's delete file."""
    src = tmp_path / "mono"
    generate_corpus(src, 3, seed=4, bad_share=0.0)
    lake, data = f"sqlite:{tmp_path / 'cat.sqlite'}", f"s3://{BUCKET}/ro/"
    run_pipeline(RunConfig(sources=[f"mono={src}"], lake=lake, lake_data=data, workers=1))
    runs, stored = snapshot_ids(lake, data), s3.objects("ro/")
    doc = sorted(p for p in src.rglob("*.md") if "bad" not in p.parts)[0]
    new = doc.parent / f"new-{doc.name}"  # new rows only (a new path, new content)
    for change in (
        lambda: new.write_text(doc.read_text() + "\n\nA new document's paragraph.\n"),
        lambda: (new.unlink(), doc.write_text(doc.read_text() + "\n\nEdited.\n")),
    ):
        change()
        done = _cli("run", "--no-prefect", "--workers", "1", f"mono={src}", "--lake", lake,
                    "--lake-data", data, env=s3.env(s3.read_only))  # fmt: skip
        line = _one_line(done, 1)
        assert "refused access to the bucket 'ingest-lake' (AccessDenied)" in line
        assert line.endswith("nothing of the failed run or step was committed to the lake")
        assert s3.read_only[0] not in line
        assert snapshot_ids(lake, data) == runs and s3.objects("ro/") == stored


def test_a_read_only_key_on_a_new_lake_says_so_in_one_line(
    tmp_path: Path, s3: S3, aws_env: dict[str, str]
) -> None:
    """The first run's schema commit is its first write: refused the same way, and no
    catalog is left claiming a lake."""
    src = tmp_path / "mono"
    generate_corpus(src, 2, seed=4, bad_share=0.0)
    lake, data = f"sqlite:{tmp_path / 'cat.sqlite'}", f"s3://{BUCKET}/ro-new/"
    done = _cli("run", "--no-prefect", "--workers", "1", f"mono={src}", "--lake", lake,
                "--lake-data", data, env=s3.env(s3.read_only))  # fmt: skip
    line = _one_line(done, 1)
    assert "refused access to the bucket 'ingest-lake' (AccessDenied)" in line, line
    assert s3.read_only[0] not in line and s3.objects("ro-new/") == {}


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ("gs://b/x/", "AWS_ENDPOINT_URL=https://storage.googleapis.com"),
        ("gcs://b/x/", "and an HMAC key"),
        ("r2://b/x/", "r2.cloudflarestorage.com"),
        ("http://h/x/", "DuckDB reads http:// but cannot write it"),
        ("az://c/x/", "write a folder or s3://BUCKET/PREFIX/ (az:// is not supported)"),
        ("s3:///x/", "write s3://BUCKET/PREFIX/ (a bucket, then a path)"),
    ],
)
def test_urls_other_than_s3_are_refused_saying_what_to_write(data: str, said: str) -> None:
    with pytest.raises(ConfigError, match=r"^--lake-data ") as err:
        remote.bucket_of(data)
    assert said in str(err.value) and "\n" not in str(err.value)


def test_the_environment_gives_endpoint_tls_and_url_style() -> None:
    keys = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s3cr3t"}
    b = remote.bucket_of("s3://bkt/a/b")
    assert b.url == "s3://bkt/a/b/" and remote.bucket_of("s3://bkt").url == "s3://bkt/"
    aws = remote.access_from_env(b.url, {**keys, "AWS_DEFAULT_REGION": "eu-west-1"})
    assert (aws.endpoint, aws.use_ssl, aws.path_style, aws.region) == (
        None,
        True,
        False,
        "eu-west-1",
    )
    minio = remote.access_from_env(b.url, {**keys, "AWS_ENDPOINT_URL": "http://minio:9000"})
    assert (minio.endpoint, minio.use_ssl, minio.path_style) == ("minio:9000", False, True)
    both = {**keys, "AWS_ENDPOINT_URL": "http://a:1", "AWS_ENDPOINT_URL_S3": "https://s3.x.io"}
    assert remote.access_from_env(b.url, both).where == "https://s3.x.io"
    assert "s3cr3t" not in repr(minio) and "s3cr3t" in minio.secret_sql(b)
    token = remote.access_from_env(b.url, {**keys, "AWS_SESSION_TOKEN": "tok"})
    assert "SESSION_TOKEN 'tok'" in token.secret_sql(b) and "tok" not in repr(token)
    assert "SCOPE 's3://bkt/'" in minio.secret_sql(b) and "SESSION_TOKEN" not in aws.secret_sql(b)
    with pytest.raises(ConfigError, match="AWS_ENDPOINT_URL='ftp://x': write http"):
        remote.access_from_env(b.url, {**keys, "AWS_ENDPOINT_URL": "ftp://x"})


def test_a_bucket_lost_after_the_probe_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DuckDB's own error for a request that found no server (as when the network goes
    mid-run) becomes the CLI's line through :func:`ingest.failures.explain`."""
    closed = f"http://127.0.0.1:{_free_port()}"
    env = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s3cr3t"}
    for name, value in {**env, "AWS_ENDPOINT_URL": closed}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    access = remote.access_from_env("s3://bkt/")
    with duckdb.connect() as con:
        extensions.load(con, "httpfs")
        con.execute(access.secret_sql(remote.bucket_of("s3://bkt/lake/")))
        con.execute("SET http_retries = 0")
        with pytest.raises(duckdb.Error) as err:
            con.execute("COPY (SELECT 1 AS x) TO 's3://bkt/lake/x.parquet'")
    assert closed in str(err.value) and "s3://" not in str(err.value)  # named by its URL
    said = failures.explain(err.value)
    assert said is not None and said[1] == failures.EXIT_FAILED
    assert said[0].startswith(f"the S3 endpoint {closed} cannot be reached for the bucket 'bkt'")
    assert "s3cr3t" not in said[0] and "AKIAEXAMPLE" not in said[0]
    assert failures.explain(duckdb.IOException("IO Error: no bucket here")) is None

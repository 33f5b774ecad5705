"""Signing alone: CPU per signed request, paired in one process (no server, no network).

    python -m bench.sign                      # abort's request, 40 pairs of blocks
    python -m bench.sign --token --blocks 80  # with a session token

Signs abort's request (`DELETE /k?uploadId=u`, the headers aios3 sends) with:

- `aios3`: `Signer.sign` on aios3's light request object (a fresh copy of the prepared
  headers each time, as `_client._sign` does): what one aios3 call pays for signing;
- `botocore`: `AWSRequest` + botocore's `S3SigV4Auth.add_auth`: what the `raw` client of
  `bench.run` (floor2) pays for signing;
- `cached-key`: a minimal SigV4 signer for this one request shape with its signing key
  cached (the cost aios3's signer aims at; it handles nothing else);

and checks first that the three give the same `Authorization`. Blocks of calls alternate
in A, B, B, A order; the report gives per-request CPU medians and the median of the pair
ratios against botocore (see bench/paired.py for the method).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import statistics
import sys
import time
from collections.abc import Callable
from unittest import mock

ACCESS_KEY, SECRET_KEY, REGION = "AKIDBENCHEXAMPLE", "bench/secret/key/EXAMPLEKEY", "us-east-1"
HOST = "b.s3.amazonaws.com"
URL = f"https://{HOST}/k?uploadId=u"
PREPARED = {"Host": HOST, "User-Agent": "aios3/bench"}


def make_signers(token: str | None) -> dict[str, Callable[[], str]]:
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import ReadOnlyCredentials
    from multidict import CIMultiDict

    from aios3._auth import FrozenCredentials, Signer, SigningRequest, signing_context

    signer = Signer(FrozenCredentials(ACCESS_KEY, SECRET_KEY, token))
    prepared: CIMultiDict[str] = CIMultiDict(PREPARED)

    def aios3() -> str:
        headers: CIMultiDict[str] = CIMultiDict(prepared)
        ctx = signing_context(sign_payload=True, streaming_input=False)
        signer.sign(SigningRequest("DELETE", URL, headers, None, ctx), "s3", REGION)
        return headers["Authorization"]

    boto = S3SigV4Auth(ReadOnlyCredentials(ACCESS_KEY, SECRET_KEY, token), "s3", REGION)

    def botocore() -> str:
        request = AWSRequest(method="DELETE", url=URL, headers=PREPARED)
        boto.add_auth(request)
        return str(request.headers["Authorization"])

    empty = hashlib.sha256(b"").hexdigest()
    keys: dict[str, bytes] = {}

    def cached_key() -> str:
        ts = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        day = ts[:8]
        key = keys.get(day)
        if key is None:
            key = f"AWS4{SECRET_KEY}".encode()
            for part in (day, REGION, "s3", "aws4_request"):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            keys[day] = key
        tok = f"x-amz-security-token:{token}\n" if token else ""
        signed = "host;x-amz-content-sha256;x-amz-date" + (";x-amz-security-token" if token else "")
        canonical = (
            f"DELETE\n/k\nuploadId=u\nhost:{HOST}\nx-amz-content-sha256:{empty}\n"
            f"x-amz-date:{ts}\n{tok}\n{signed}\n{empty}"
        )
        scope = f"{day}/{REGION}/s3/aws4_request"
        sts = f"AWS4-HMAC-SHA256\n{ts}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
        credential = f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{scope}"
        return f"{credential}, SignedHeaders={signed}, Signature={sig}"

    return {"aios3": aios3, "botocore": botocore, "cached-key": cached_key}


def check_same(signers: dict[str, Callable[[], str]]) -> None:
    import calendar
    import datetime as dt

    import botocore.auth

    from aios3 import _auth

    frozen = dt.datetime(2026, 3, 4, 5, 6, 7)
    epoch = calendar.timegm(frozen.timetuple())
    with (
        mock.patch.object(botocore.auth, "get_current_datetime", return_value=frozen),
        mock.patch.object(_auth, "_clock", return_value=epoch),
        mock.patch.object(time, "gmtime", return_value=time.gmtime(epoch)),
    ):
        results = {name: sign() for name, sign in signers.items()}
    if len(set(results.values())) != 1:
        raise SystemExit(f"the signers disagree: {results}")


def block(sign: Callable[[], str], n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        sign()
    return (time.process_time() - start) / n * 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.sign")
    ap.add_argument("--blocks", type=int, default=40, help="pairs of blocks (default 40)")
    ap.add_argument("--block-calls", type=int, default=2000, help="signatures per block")
    ap.add_argument("--token", action="store_true", help="credentials with a session token")
    args = ap.parse_args(argv)
    signers = make_signers("FwoGZXIvYXdzEXAMPLETOKEN" if args.token else None)
    check_same(signers)
    for sign in signers.values():
        block(sign, args.block_calls)  # warm-up
    times: dict[str, list[float]] = {name: [] for name in signers}
    ratios: dict[str, list[float]] = {name: [] for name in signers if name != "botocore"}
    for i in range(args.blocks):
        order = list(signers) if i % 2 == 0 else list(reversed(signers))
        now = {name: block(signers[name], args.block_calls) for name in order}
        for name, t in now.items():
            times[name].append(t)
            if name != "botocore":
                ratios[name].append(t / now["botocore"])
    print(f"signing abort's request, {args.blocks} blocks of {args.block_calls} per signer")
    for name in signers:
        line = f"  {name:11s} {statistics.median(times[name]):6.2f} us per request"
        if name in ratios:
            q1, med, q3 = statistics.quantiles(ratios[name], n=4)
            line += f"  {med:.3f}x botocore (quartiles {q1:.3f} .. {q3:.3f})"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

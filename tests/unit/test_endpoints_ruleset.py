"""aios3's endpoint resolver against AWS's published S3 endpoint rule-set test cases.

The cases (`tests/data/s3-endpoint-tests-1.json`, copied unchanged from botocore's
repository) give rule-set parameters and the expected URL and auth scheme, or an error. Every
case whose parameters are client settings plus a bucket is run through `EndpointResolver`:
the URL, the signing name and the signing region (or region set) must match, and expected
errors must surface as `EndpointResolutionError`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aios3._endpoints import EndpointParams, EndpointResolver
from aios3.errors import EndpointResolutionError

DATA = Path(__file__).resolve().parent.parent / "data" / "s3-endpoint-tests-1.json"
SUPPORTED = {
    "Bucket",
    "Region",
    "UseFIPS",
    "UseDualStack",
    "Endpoint",
    "ForcePathStyle",
    "Accelerate",
    "UseArnRegion",
    "DisableMultiRegionAccessPoints",
    "UseGlobalEndpoint",
    "DisableS3ExpressSessionAuth",
}


def load_cases() -> list[dict[str, Any]]:
    cases = json.loads(DATA.read_text())["testCases"]
    return [c for c in cases if set(c.get("params", {})) <= SUPPORTED and "Region" in c["params"]]


CASES = load_cases()


def resolver_for(params: dict[str, Any]) -> EndpointResolver:
    return EndpointResolver(
        EndpointParams(
            region=params["Region"],
            endpoint_url=params.get("Endpoint"),
            use_fips=params.get("UseFIPS", False),
            use_dualstack=params.get("UseDualStack", False),
            accelerate=params.get("Accelerate", False),
            force_path_style=params.get("ForcePathStyle", False),
            use_arn_region=params.get("UseArnRegion", True),
            disable_multiregion_access_points=params.get("DisableMultiRegionAccessPoints", False),
            disable_s3_express_session_auth=params.get("DisableS3ExpressSessionAuth", False),
            use_global_endpoint=params.get("UseGlobalEndpoint", False),
        )
    )


def test_enough_cases_apply() -> None:
    assert len(CASES) >= 250


@pytest.mark.parametrize("case", CASES, ids=[c.get("documentation", "?")[:80] for c in CASES])
def test_rule_set_case(case: dict[str, Any]) -> None:
    params = case["params"]
    resolver = resolver_for(params)
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(EndpointResolutionError) as info:
            resolver.resolve(params.get("Bucket"))
        assert expect["error"][:40] in str(info.value)
        return
    ep = resolver.resolve(params.get("Bucket"))
    want = expect["endpoint"]
    assert ep.url == want["url"].rstrip("/")
    schemes = want.get("properties", {}).get("authSchemes", [])
    names = [s["name"] for s in schemes]
    chosen = next(s for s in schemes if s["name"] == ep.auth_scheme)
    # aios3 prefers SigV4 where the rule set offers both (SigV4a needs awscrt)
    if "sigv4" in names and ep.auth_scheme != "sigv4-s3express":
        assert ep.auth_scheme == "sigv4"
    assert ep.signing_name == chosen["signingName"]
    if "signingRegion" in chosen:
        assert ep.signing_region == chosen["signingRegion"]
    if "signingRegionSet" in chosen:
        assert list(ep.signing_region_set) == chosen["signingRegionSet"]

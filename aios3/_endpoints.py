"""Which host a request goes to, and with which signing name and region.

aios3 does not hand-write AWS's endpoint rules: it evaluates the S3 endpoint rule set and
the partitions that botocore ships (`botocore.endpoint_provider.EndpointProvider`), loaded
once per process. Results are cached per bucket for the life of a resolver, so the rule set
runs once per bucket, not once per call.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Literal

from .errors import EndpointResolutionError

__all__ = ["EndpointParams", "EndpointResolver", "ResolvedEndpoint"]

AuthSchemeName = Literal["sigv4", "sigv4a", "sigv4-s3express"]

_provider_lock = threading.Lock()
_provider: object | None = None


def load_rule_set() -> None:
    """Load botocore's S3 rule set and partitions now (blocking; once per process)."""
    _get_provider()


def _get_provider() -> object:
    """botocore's S3 `EndpointProvider`, built once per process."""
    global _provider
    if _provider is None:
        with _provider_lock:
            if _provider is None:
                from botocore.endpoint_provider import EndpointProvider
                from botocore.loaders import create_loader

                loader = create_loader()
                # what load_service_model("s3", ...) loads, without its check that "s3" is
                # a known service: that lists every service's folder (most of the time)
                kind = "endpoint-rule-set-1"
                version = loader.determine_latest_version("s3", kind)
                ruleset = loader.load_data(f"s3/{version}/{kind}")
                partitions = loader.load_data("partitions")
                _provider = EndpointProvider(ruleset_data=ruleset, partition_data=partitions)
    return _provider


@dataclass(frozen=True, slots=True)
class ResolvedEndpoint:
    """Where one request goes and how it must be signed."""

    url: str
    """Base URL: scheme, host, port and (path-style) the bucket path, no trailing slash."""
    auth_scheme: AuthSchemeName
    signing_name: str
    signing_region: str
    signing_region_set: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    backend: str | None = None
    has_path: bool = False
    """Whether `url` has a path (path-style: `/bucket`) after the host."""
    host: str = ""
    """The `Host` header value for `url`, as botocore's signer derives it."""


@dataclass(frozen=True, slots=True)
class EndpointParams:
    """The client-wide inputs of the S3 endpoint rule set."""

    region: str
    endpoint_url: str | None = None
    use_fips: bool = False
    use_dualstack: bool = False
    accelerate: bool = False
    force_path_style: bool = False
    use_arn_region: bool = True
    disable_multiregion_access_points: bool = False
    disable_s3_express_session_auth: bool = False
    use_global_endpoint: bool = False
    explicit_path_style: bool = False
    """The user asked for `addressing_style="path"` (not implied by a custom endpoint)."""


_SCHEME_PREFERENCE = ("sigv4-s3express", "sigv4", "sigv4a")


def _pick_scheme(schemes: list[dict[str, object]]) -> dict[str, object]:
    names = [s.get("name") for s in schemes]
    for wanted in _SCHEME_PREFERENCE:
        if wanted in names:
            if wanted == "sigv4a" and "sigv4" in names:
                continue
            return schemes[names.index(wanted)]
    raise EndpointResolutionError(f"no supported auth scheme among {names!r}")


@dataclass(slots=True)
class EndpointResolver:
    """Resolves buckets to endpoints with the S3 rule set; memoises per bucket."""

    params: EndpointParams
    max_cache: int = 4096
    _cache: dict[str | None, ResolvedEndpoint] = field(default_factory=dict)
    _session_cache: dict[str | None, ResolvedEndpoint] = field(default_factory=dict)
    _control_cache: dict[str | None, ResolvedEndpoint] = field(default_factory=dict)

    def resolve(
        self, bucket: str | None, *, session_auth: bool = True, control: bool = False
    ) -> ResolvedEndpoint:
        """The endpoint for `bucket` (or for the service when `bucket` is None).

        `session_auth=False` is CreateSession's view (botocore's static context parameter
        `DisableS3ExpressSessionAuth=true`): a directory bucket then resolves to plain SigV4
        for `s3express`, signed with the long-term credentials. `control=True` is the view
        of the bucket-level operations (`UseS3ExpressControlEndpoint=true`): a directory
        bucket resolves to the regional `s3express-control` endpoint, path style, plain
        SigV4; other buckets as usual.
        """
        if control:
            cache = self._control_cache
        else:
            cache = self._cache if session_auth else self._session_cache
        hit = cache.get(bucket)
        if hit is not None:
            return hit
        resolved = self._resolve(bucket, session_auth, control)
        if len(cache) >= self.max_cache:
            cache.clear()
        cache[bucket] = resolved
        return resolved

    def _resolve(
        self, bucket: str | None, session_auth: bool = True, control: bool = False
    ) -> ResolvedEndpoint:
        from botocore.auth import _host_from_url
        from botocore.exceptions import BotoCoreError

        p = self.params
        kwargs: dict[str, object] = {
            "Region": p.region,
            "UseFIPS": p.use_fips,
            "UseDualStack": p.use_dualstack,
            "ForcePathStyle": p.force_path_style,
            "Accelerate": p.accelerate,
            "UseGlobalEndpoint": p.use_global_endpoint,
            "UseArnRegion": p.use_arn_region,
            "DisableMultiRegionAccessPoints": p.disable_multiregion_access_points,
            "DisableS3ExpressSessionAuth": p.disable_s3_express_session_auth or not session_auth,
        }
        if bucket is not None:
            kwargs["Bucket"] = bucket
        if control:
            kwargs["UseS3ExpressControlEndpoint"] = True
        if p.endpoint_url is not None:
            kwargs["Endpoint"] = p.endpoint_url
        try:
            ep = _get_provider().resolve_endpoint(**kwargs)  # type: ignore[attr-defined]
        except BotoCoreError as exc:
            msg = getattr(exc, "kwargs", {}).get("msg") or str(exc)
            raise EndpointResolutionError(
                f"cannot resolve an S3 endpoint for bucket {bucket!r}: {msg}"
            ) from None
        props: dict[str, object] = dict(ep.properties or {})
        schemes = props.get("authSchemes") or [{"name": "sigv4", "signingName": "s3"}]
        scheme = _pick_scheme(schemes)  # type: ignore[arg-type]
        name = str(scheme["name"])
        region_set = scheme.get("signingRegionSet") or ()
        headers = tuple(
            (str(k), ",".join(str(x) for x in v) if isinstance(v, list) else str(v))
            for k, v in (ep.headers or {}).items()
        )
        backend = str(props["backend"]) if "backend" in props else None
        if backend == "S3Express" and p.explicit_path_style and not control:
            # the rule set silently goes virtual-hosted; S3 documents that directory buckets
            # support virtual-hosted-style requests only, so say so instead of ignoring it
            # (the control endpoint of the bucket-level operations is path style anyway)
            raise EndpointResolutionError(
                f"bucket {bucket!r} is a directory bucket (S3 Express One Zone), which "
                "supports only virtual-hosted-style requests: addressing_style='path' "
                "cannot be used with it"
            )
        url = str(ep.url).rstrip("/")
        return ResolvedEndpoint(
            url=url,
            has_path=url.find("/", url.find("://") + 3) != -1,
            host=_host_from_url(url),
            auth_scheme=name,  # type: ignore[arg-type]
            signing_name=str(scheme.get("signingName") or "s3"),
            signing_region=str(scheme.get("signingRegion") or p.region),
            signing_region_set=tuple(str(r) for r in region_set),  # type: ignore[attr-defined]
            headers=headers,
            backend=backend,
        )

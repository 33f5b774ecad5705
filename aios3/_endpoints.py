"""Which host a request goes to, and with which signing name and region.

aios3 does not hand-write AWS's endpoint rules: it evaluates the S3 endpoint rule set and
the partitions that botocore ships (`botocore.endpoint_provider.EndpointProvider`), loaded
once per process (found where botocore's loader finds them, parsed with `json.loads`,
equal values shared). Results are cached per bucket for the life of a resolver, so the rule set
runs once per bucket, not once per call.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import EndpointResolutionError

__all__ = ["EndpointParams", "EndpointResolver", "ResolvedEndpoint", "shared_resolver"]

AuthSchemeName = Literal["sigv4", "sigv4a", "sigv4-s3express"]

_provider_lock = threading.Lock()
_providers: dict[str | None, object] = {}
_RULE_SET = "endpoint-rule-set-1"


def load_rule_set(data_path: str | None = None) -> None:
    """Load botocore's S3 rule set and partitions now (blocking; once per process and
    data path)."""
    _get_provider(data_path)


def _get_provider(data_path: str | None = None) -> object:
    """botocore's S3 `EndpointProvider`, built once per process (and per `data_path`,
    botocore's `AWS_DATA_PATH`: folders searched before botocore's own data)."""
    provider = _providers.get(data_path)
    if provider is None:
        with _provider_lock:
            provider = _providers.get(data_path)
            if provider is None:
                from botocore.endpoint_provider import EndpointProvider

                # no garbage collection while the 900 kB rule set becomes objects: its
                # allocations would trigger several, each walking every object of the
                # process (measured: 3 to 4 times the parse itself); nothing made here is
                # garbage until the raw data is dropped, by reference counting
                collecting = gc.isenabled()
                gc.disable()
                try:
                    ruleset, partitions = read_rule_set(data_path)
                    provider = EndpointProvider(ruleset_data=ruleset, partition_data=partitions)
                    del ruleset, partitions
                finally:
                    if collecting:
                        gc.enable()
                _providers[data_path] = provider
    return provider


def read_rule_set(data_path: str | None = None) -> tuple[dict[str, object], dict[str, object]]:
    """The S3 rule set and the partitions, as botocore's loader finds them.

    The files are the ones `Loader.load_data` would pick (the newest API version of the
    rule set; the first folder of the loader's search path that has the file, the user's
    data path and `~/.aws/models` before botocore's own data), parsed with `json.loads`:
    botocore's loader parses into `OrderedDict`s, a fifth of the time of loading the 900 kB
    rule set, which the endpoint provider does not need. The rule set's repeated values
    are shared (`_shared_json`), since the provider keeps it for the life of the process.
    What
    `load_service_model("s3", ...)` adds (a check that "s3" is a known service) lists
    every service's folder, and is skipped too."""
    from botocore.loaders import create_loader

    loader = create_loader(data_path)
    version = loader.determine_latest_version("s3", _RULE_SET)
    ruleset = _load_json(loader, f"s3/{version}/{_RULE_SET}", shared=True)
    return ruleset, _load_json(loader, "partitions")


def _load_json(loader: object, name: str, *, shared: bool = False) -> dict[str, object]:
    """One of botocore's data files, parsed; with `shared`, equal values are one object
    (`_shared_json`). The partitions are not shared: botocore's endpoint library writes
    into them (`format_partition_output` sets `outputs["name"]`)."""
    import json

    try:
        from botocore.loaders import _JSON_OPEN_METHODS as openers
    except ImportError:  # pragma: no cover - a botocore that moved it: its own loader
        return loader.load_data(name)  # type: ignore[attr-defined, no-any-return]
    for folder in loader.search_paths:  # type: ignore[attr-defined]
        base = os.path.join(folder, name)
        for ext, open_method in openers.items():
            path = base + ext
            if os.path.isfile(path):
                data = _gunzip(path) if ext == ".json.gz" else None
                if data is None:
                    with open_method(path, "rb") as f:
                        data = f.read()
                # decoded as botocore's loader does; the bytes are dropped before the
                # parse, not kept alongside the text and the objects
                text = data.decode("utf-8")
                del data
                return _shared_json(text) if shared else json.loads(text)
    return loader.load_data(name)  # type: ignore[attr-defined, no-any-return]  # raises


def _gunzip(path: str) -> bytes | None:
    """The content of a one-member gzip file, decompressed into one buffer of its final
    size (the size its trailer gives): `GzipFile.read()` collects chunks and joins them,
    holding the 900 kB of the rule set twice. None for what this does not vouch for
    (several members, a trailer that does not match: `gzip` reads those, and says what is
    wrong)."""
    import zlib

    with open(path, "rb") as f:
        packed = f.read()
    if len(packed) < 18:  # shorter than a gzip header and trailer
        return None
    crc = int.from_bytes(packed[-8:-4], "little")
    size = int.from_bytes(packed[-4:], "little")
    try:
        data = zlib.decompress(packed, wbits=31, bufsize=max(size, 1))
    except zlib.error:
        return None
    # zlib checked the first member against its own trailer; the file's last trailer being
    # that member's too says that no other member follows it
    if len(data) & 0xFFFFFFFF != size or zlib.crc32(data) != crc:
        return None
    return data


def _shared_json(text: str) -> dict[str, object]:
    """`json.loads(text)`, with every value that occurs more than once held once: equal
    strings, and equal objects and arrays (compared by content, all the way down) are the
    same Python object.

    The S3 rule set repeats itself a lot (the same conditions, argument lists, endpoint
    properties and error texts in many branches): parsed plainly it is about 800 kB of
    objects that botocore's `EndpointProvider` keeps for the life of the process; shared,
    about 150 kB. botocore only reads the rule set after building its rules (it copies
    each rule's mapping into keyword arguments, and evaluates conditions, endpoints and
    errors into new objects), so sharing changes nothing it computes
    (`tests/unit/test_endpoints_shared.py` compares the two, and resolutions).

    Objects are shared bottom-up as the parser finishes them: an object's or array's
    identity stands for its content in its parent's key, since its children are shared
    already. Scalars other than strings are keyed with their type (`True` is not `1`)."""
    import json

    memo: dict[object, Any] = {}
    setdefault = memo.setdefault

    def obj(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        key: list[object] = []
        for i, (k, v) in enumerate(pairs):
            k = setdefault(k, k)
            cls = v.__class__
            if cls is str:
                v = setdefault(v, v)
                key.append((k, v))
            elif cls is dict:
                key.append((k, id(v)))
            elif cls is list:
                v = _shared_array(v, setdefault)
                key.append((k, id(v)))
            else:
                key.append((k, cls, v))
            pairs[i] = (k, v)
        frozen = tuple(key)
        found = memo.get(frozen)
        if found is None:
            found = memo[frozen] = dict(pairs)
        return found

    try:
        return json.loads(text, object_pairs_hook=obj)  # type: ignore[no-any-return]
    finally:
        memo.clear()  # the keys, at once (not with the last reference to `obj`)


def _shared_array(value: list[Any], setdefault: Callable[[object, Any], Any]) -> list[Any]:
    """`_shared_json`'s step for an array (the parser has no hook for arrays: an object
    shares the arrays among its values, an array those among its items)."""
    key: list[object] = [list]
    for i, x in enumerate(value):
        cls = x.__class__
        if cls is str:
            value[i] = x = setdefault(x, x)
            key.append(x)
        elif cls is dict:  # shared already, by the object hook
            key.append(id(x))
        elif cls is list:
            value[i] = x = _shared_array(x, setdefault)
            key.append(id(x))
        else:
            key.append((cls, x))
    return setdefault(tuple(key), value)  # type: ignore[no-any-return]


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
    data_path: str | None = None
    """botocore's data path: where the rule set is looked for first (`AWS_DATA_PATH`)."""


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
            ep = _get_provider(p.data_path).resolve_endpoint(**kwargs)  # type: ignore[attr-defined]
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


_resolvers: dict[EndpointParams, EndpointResolver] = {}
_MAX_RESOLVERS = 64


def shared_resolver(params: EndpointParams) -> EndpointResolver:
    """The process's resolver for `params`: clients with the same settings share one, and
    with it the endpoints it has resolved per bucket (a resolution depends on nothing
    else; a dict operation at a time, so threads and loops may share it)."""
    resolver = _resolvers.get(params)
    if resolver is None:
        if len(_resolvers) >= _MAX_RESOLVERS:
            _resolvers.clear()
        resolver = _resolvers.setdefault(params, EndpointResolver(params))
    return resolver

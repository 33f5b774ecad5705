"""The server-side safety net: a lifecycle rule that aborts incomplete multipart uploads.

`ensure_abort_rule` reads the bucket's lifecycle configuration, changes or adds one
`AbortIncompleteMultipartUpload` rule, and writes the whole configuration back (a put
replaces it all), every other rule exactly as the server sent it. Nothing is written when
the rule is there already.

`remove_abort_rule` takes it out again the same way: the rule goes (or only its abort
action, when the rule has other actions), the other rules are written back, and when no
rule is left the configuration is deleted (S3 refuses a configuration without rules).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Literal

from ._operations import (
    DELETE_BUCKET_LIFECYCLE,
    GET_BUCKET_LIFECYCLE_CONFIGURATION,
    PUT_BUCKET_LIFECYCLE_CONFIGURATION,
    validated,
)
from ._serialize import _xml_element
from .errors import LifecycleRuleConflictError, NoSuchLifecycleConfiguration, ParamValidationError
from .models import (
    AbortIncompleteMultipartUpload,
    AbortRuleRemovalResult,
    AbortRuleResult,
    BucketLifecycleConfiguration,
    LifecycleRule,
    LifecycleRuleFilter,
)

if TYPE_CHECKING:
    from ._client import S3Client

__all__ = [
    "DEFAULT_RULE_ID",
    "default_rule_id",
    "drop_abort_rule",
    "ensure_abort_rule",
    "merge_abort_rule",
    "remove_abort_rule",
    "scope",
]

DEFAULT_RULE_ID = "aios3-abort-incomplete-uploads"
_MAX_ID = 255  # S3's limit on a rule ID
_OTHER_ACTIONS = (  # a rule's actions besides AbortIncompleteMultipartUpload
    "expiration",
    "transitions",
    "noncurrent_version_transitions",
    "noncurrent_version_expiration",
)

Action = Literal["added", "updated", "unchanged"]
Removal = Literal["removed", "action_removed", "absent", "no_abort_action"]


def default_rule_id(prefix: str) -> str:
    """`aios3-abort-incomplete-uploads`, with `-<prefix>` for a prefix (a hash of it when
    the ID would be longer than S3's 255 characters)."""
    if not prefix:
        return DEFAULT_RULE_ID
    rule_id = f"{DEFAULT_RULE_ID}-{prefix}"
    if len(rule_id) <= _MAX_ID:
        return rule_id
    return f"{DEFAULT_RULE_ID}-{hashlib.sha256(prefix.encode()).hexdigest()[:16]}"


def scope(rule: LifecycleRule) -> str | None:
    """The key prefix a rule applies to when it filters by prefix alone (`""`: the whole
    bucket), else None (it filters by tags or sizes too).

    `Filter={}`, `Filter={"Prefix": ""}`, `Filter={"And": {"Prefix": ""}}` and the older
    top-level `Prefix=""` all mean the whole bucket (Ceph RGW reads `Filter={}` back as
    `Prefix=""`).
    """
    f = rule.filter
    if f is None:
        return rule.prefix or ""
    if rule.prefix:
        return None
    if f.tag is not None or f.object_size_greater_than is not None:
        return None
    if f.object_size_less_than is not None:
        return None
    a = f.and_
    if a is None:
        return f.prefix or ""
    if a.tags or a.object_size_greater_than is not None or a.object_size_less_than is not None:
        return None
    if f.prefix and a.prefix and f.prefix != a.prefix:
        return None
    return f.prefix or a.prefix or ""


def _has_other_actions(rule: LifecycleRule) -> bool:
    return any(getattr(rule, name) for name in _OTHER_ACTIONS)


def _xml(rule: LifecycleRule) -> str:
    out: list[str] = []
    _xml_element(out, "Rule", rule)
    return "".join(out)


def _check(days: object, prefix: object, rule_id: object) -> None:
    problems = []
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        problems.append(f"days: must be a whole number of days, 1 or more, got {days!r}")
    _raise_bad("ensure_abort_incomplete_uploads_rule", problems, prefix, rule_id)


def _raise_bad(method: str, problems: list[str], prefix: object, rule_id: object) -> None:
    """ParamValidationError naming each bad argument of `method`, if any."""
    if prefix is not None and not isinstance(prefix, str):
        problems.append(f"prefix: must be a str or None, got {type(prefix).__name__}")
    if rule_id is not None and (not isinstance(rule_id, str) or not 0 < len(rule_id) <= _MAX_ID):
        problems.append(f"rule_id: must be a str of 1 to {_MAX_ID} characters, or None")
    if problems:
        raise ParamValidationError(
            f"Invalid parameters for {method}:\n  " + "\n  ".join(problems), problems
        )


def merge_abort_rule(
    rules: list[LifecycleRule],
    *,
    bucket: str,
    days: int,
    prefix: str,
    rule_id: str | None,
) -> tuple[Action, list[LifecycleRule], LifecycleRule, LifecycleRule | None]:
    """The configuration with the abort rule in it: (what was done, the rules, the rule,
    the rule it replaced). Pure: nothing is sent. Every other rule is the same object."""
    wanted_id = rule_id or default_rule_id(prefix)
    abort = AbortIncompleteMultipartUpload.model_construct(days_after_initiation=days)
    index = next((i for i, r in enumerate(rules) if r.id == wanted_id), None)
    if index is not None:
        old = rules[index]
        if _has_other_actions(old):
            if scope(old) != prefix or old.status != "Enabled":
                why = "is disabled" if scope(old) == prefix else "has another filter"
                raise LifecycleRuleConflictError(
                    f"bucket {bucket!r}: lifecycle rule {wanted_id!r} has other actions and "
                    f"{why}; changing it would change them too. Pass another rule_id, or "
                    "change the rule yourself (nothing was written)",
                    bucket=bucket,
                    rule_id=wanted_id,
                    rule=old,
                )
            update: dict[str, object] = {"abort_incomplete_multipart_upload": abort}
        else:  # an abort-only rule: its filter and status are ours to set
            update = {"abort_incomplete_multipart_upload": abort, "status": "Enabled"}
            if scope(old) != prefix:
                update.update(_filter_fields(prefix, legacy=old.filter is None))
    else:
        index = next(
            (
                i
                for i, r in enumerate(rules)
                if r.abort_incomplete_multipart_upload is not None
                and scope(r) == prefix
                and (r.status == "Enabled" or not _has_other_actions(r))
            ),
            None,
        )
        if index is None:
            legacy = bool(rules) and all(r.filter is None for r in rules)
            if legacy:
                new = LifecycleRule.model_construct(
                    id=wanted_id,
                    prefix=prefix,
                    status="Enabled",
                    abort_incomplete_multipart_upload=abort,
                )
            else:
                new = LifecycleRule.model_construct(
                    id=wanted_id,
                    filter=LifecycleRuleFilter.model_construct(prefix=prefix),
                    status="Enabled",
                    abort_incomplete_multipart_upload=abort,
                )
            return "added", [*rules, new], new, None
        old = rules[index]
        update = {"abort_incomplete_multipart_upload": abort, "status": "Enabled"}
    new = old.model_copy(update=update)
    if _xml(new) == _xml(old):
        return "unchanged", rules, old, old
    merged = list(rules)
    merged[index] = new
    return "updated", merged, new, old


def _filter_fields(prefix: str, *, legacy: bool) -> dict[str, object]:
    """A prefix-only scope, in the configuration's style: the older top-level `Prefix`
    when every rule uses it (a configuration mixing both styles may be refused), else
    `Filter={"Prefix": prefix}`."""
    if legacy:
        return {"prefix": prefix, "filter": None}
    return {"prefix": None, "filter": LifecycleRuleFilter.model_construct(prefix=prefix)}


def drop_abort_rule(
    rules: list[LifecycleRule], *, rule_id: str
) -> tuple[Removal, list[LifecycleRule], LifecycleRule | None, LifecycleRule | None]:
    """The configuration without the abort rule with ID `rule_id`: (what was done, the
    rules left, the rule as it is left, the rule found). Pure: nothing is sent. Every other
    rule is the same object.

    A rule with other actions keeps them and loses only its abort action
    (`"action_removed"`); a rule without an abort action is left alone
    (`"no_abort_action"`). The rules left may be none: S3 refuses to store that, the
    caller deletes the configuration instead."""
    index = next((i for i, r in enumerate(rules) if r.id == rule_id), None)
    if index is None:
        return "absent", rules, None, None
    old = rules[index]
    if old.abort_incomplete_multipart_upload is None:  # never drop another action
        return "no_abort_action", rules, old, old
    left = list(rules)
    if _has_other_actions(old):
        new = old.model_copy(update={"abort_incomplete_multipart_upload": None})
        left[index] = new
        return "action_removed", left, new, old
    del left[index]
    return "removed", left, None, old


async def _read(
    client: S3Client, bucket: str, owner: dict[str, str]
) -> tuple[list[LifecycleRule], str | None]:
    """The bucket's rules and TransitionDefaultMinimumObjectSize (none yet: no rules)."""
    # ParamValidationError for a bad bucket or owner, before anything is sent
    get = validated(GET_BUCKET_LIFECYCLE_CONFIGURATION, None, {"Bucket": bucket, **owner})
    try:
        current = await client.get_bucket_lifecycle_configuration(get)
    except NoSuchLifecycleConfiguration:
        return [], None
    return current.rules, current.transition_default_minimum_object_size


async def _write(
    client: S3Client,
    bucket: str,
    owner: dict[str, str],
    rules: list[LifecycleRule],
    size: str | None,
) -> None:
    """Put `rules` back as they are, with the size setting read."""
    # the rules as read, unvalidated: what the server holds goes back unchanged
    config = BucketLifecycleConfiguration.model_construct(rules=rules)
    put = validated(
        PUT_BUCKET_LIFECYCLE_CONFIGURATION,
        None,
        {"Bucket": bucket, "LifecycleConfiguration": config, **owner},
    )
    if size is not None:  # a put without it would reset it to S3's default
        put = put.model_copy(update={"transition_default_minimum_object_size": size})
    await client.put_bucket_lifecycle_configuration(put)


def _owner(expected_bucket_owner: str | None) -> dict[str, str]:
    return {} if expected_bucket_owner is None else {"ExpectedBucketOwner": expected_bucket_owner}


async def ensure_abort_rule(
    client: S3Client,
    *,
    bucket: str,
    days: int,
    prefix: str | None,
    rule_id: str | None,
    expected_bucket_owner: str | None,
) -> AbortRuleResult:
    """Read, merge, write back: see `S3Client.ensure_abort_incomplete_uploads_rule`."""
    _check(days, prefix, rule_id)
    owner = _owner(expected_bucket_owner)
    rules, size = await _read(client, bucket, owner)
    # from here to the put nothing is awaited: the window in which another writer's
    # change would be lost is the put's own round trip
    action, merged, rule, previous = merge_abort_rule(
        rules, bucket=bucket, days=days, prefix=prefix or "", rule_id=rule_id
    )
    if action != "unchanged":
        await _write(client, bucket, owner, merged, size)
    return AbortRuleResult(
        action=action,
        rule=rule,
        previous=previous if action != "added" else None,
        rules=merged,
        transition_default_minimum_object_size=size,
    )


async def remove_abort_rule(
    client: S3Client,
    *,
    bucket: str,
    prefix: str | None,
    rule_id: str | None,
    expected_bucket_owner: str | None,
) -> AbortRuleRemovalResult:
    """Read, drop, write back (or delete): see
    `S3Client.remove_abort_incomplete_uploads_rule`."""
    _raise_bad("remove_abort_incomplete_uploads_rule", [], prefix, rule_id)
    owner = _owner(expected_bucket_owner)
    wanted = rule_id or default_rule_id(prefix or "")
    rules, size = await _read(client, bucket, owner)
    # nothing is awaited from the get's answer to the put (or the delete): see ensure
    action, left, rule, previous = drop_abort_rule(rules, rule_id=wanted)
    done: Literal["configuration_deleted"] | Removal = action
    if action in ("removed", "action_removed"):
        if left:
            await _write(client, bucket, owner, left, size)
        else:  # S3 refuses a configuration without rules: delete it
            delete = validated(DELETE_BUCKET_LIFECYCLE, None, {"Bucket": bucket, **owner})
            await client.delete_bucket_lifecycle(delete)
            done = "configuration_deleted"
    return AbortRuleRemovalResult(
        action=done,
        rule_id=wanted,
        rule=rule,
        previous=previous,
        rules=left,
        transition_default_minimum_object_size=size,
    )

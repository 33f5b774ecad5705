"""How the tests that compare aios3's models with botocore's S3 model treat a botocore
newer than the one the models were last checked against.

AWS adds members to S3's model in ordinary botocore releases (`VersionId` on the
multipart responses came in botocore 1.44). aios3 ignores a response member it does not
model and cannot send a parameter it does not model, so such a release breaks nothing a
user has: it is work for aios3 to pick up, not a fault in the release under test. So:

* up to `CHECKED_AGAINST`, every difference fails, as before;
* beyond it, the differences are reported as an expected failure (`XFAIL`) that names
  each new member and the botocore that brought it, in every CI log, until someone adds
  them and moves `CHECKED_AGAINST` up.

A difference that is not about newer members (a field botocore lacks, a wrong type)
fails on any botocore: the callers pass `check` only the kinds of problem a newer botocore
can cause (a member or value aios3 lacks). `check` cannot tell a member botocore added
from one aios3 lost (it has only the installed botocore); a loss fails on every botocore
in `test_model_completeness.test_the_models_keep_what_they_had_when_checked_against_botocore`
(the fields, keyword keys and Literal values listed in `checked_members.txt`).
"""

from __future__ import annotations

from collections.abc import Iterable

import botocore
import pytest

# The newest botocore whose S3 model aios3's models were compared with, member by member.
CHECKED_AGAINST = "1.44.8"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".")[:3] if p.isdigit())


def newer_than_checked(version: str = botocore.__version__) -> bool:
    """The installed botocore is newer than the one the models were checked against."""
    return _version(version) > _version(CHECKED_AGAINST)


def check(problems: Iterable[str], *, version: str = botocore.__version__) -> None:
    """Fail on `problems`; or, on a botocore newer than `CHECKED_AGAINST`, XFAIL naming them.

    The caller passes only problems that a newer botocore can cause (a member or value
    aios3 lacks); the others it asserts on directly.
    """
    found = list(problems)
    if not found:
        return
    if newer_than_checked(version):
        pytest.xfail(
            f"botocore {version} is newer than {CHECKED_AGAINST}, which aios3's models were "
            f"checked against, and has what aios3 lacks: {'; '.join(found)}"
        )
    assert found == []

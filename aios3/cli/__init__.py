"""The `aios3` command line (`pip install 'aios3[cli]'`).

```console
$ aios3 s3api abort-multipart-upload --bucket b --key k --upload-id ID
$ python -m aios3 s3api list-multipart-uploads --bucket b --output table
```

Command groups live in their own modules and load on first use (`aios3.cli._app.GROUPS`):
`s3api` (`aios3.cli.s3api`). A group is a `click.Group` built on the public client API and
the helpers of `aios3.cli._common` (global options, client, output, exit codes).
"""

from __future__ import annotations

from ._app import main

__all__ = ["main"]

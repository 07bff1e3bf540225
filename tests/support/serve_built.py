"""Start only the portal's backend, serving a frontend already built into REFLEX_WEB_WORKDIR.

This is what ``reflex run --env prod --single-port`` does once its build is done (skip the compile,
mount the static files on the backend), so a test portal that reuses another's build
(tests/support/built_frontends.py) starts in seconds. Usage: ``python -m tests.support.serve_built PORT``.
"""

from __future__ import annotations

import sys

from reflex.environment import environment
from reflex.utils import exec as reflex_exec
from reflex_base import constants
from reflex_base.config import get_config


def main(port: int) -> None:
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    config = get_config()
    reflex_exec.run_backend_prod(config.backend_host, port, config.loglevel.subprocess_level(),
                                 mount_frontend_compiled_app=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))

"""Settings for the test suite: a throw-away data dir, jobs run in the caller, fast password hashing."""

import os
import tempfile

os.environ.setdefault("FAHUO_DATA_DIR", tempfile.mkdtemp(prefix="fahuo-test-"))
os.environ["FAHUO_JOBS_IMMEDIATE"] = "1"

from fahuo.settings import *  # noqa: E402,F403
from fahuo.settings import HUEY  # noqa: E402

HUEY = {**HUEY, "immediate": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

"""Subcommands that run fahuo: migrate, serve (gunicorn + a huey worker child), demo, worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def migrate(args=None, *, verbosity: int = 1) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
    return 0


def _collectstatic() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def worker(args) -> int:
    from huey.contrib.djhuey import HUEY

    HUEY.create_consumer(workers=2, worker_type="thread", periodic=not getattr(args, "no_periodic", False)).run()
    return 0


def _start_worker() -> subprocess.Popen:
    """The job consumer as a child process: `fahuo worker`, with this process's settings."""
    return subprocess.Popen([sys.executable, "-m", "fahuo.cli", "worker"], env=os.environ.copy())


def _stop(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGINT)  # huey finishes the task in hand, then exits
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _gunicorn(host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    class App(BaseApplication):
        def load_config(self) -> None:
            for k, v in {"bind": f"{host}:{port}", "workers": workers, "threads": 4, "worker_class": "gthread",
                         "timeout": 120, "graceful_timeout": 10, "accesslog": None, "errorlog": "-",
                         "loglevel": "warning", "proc_name": "fahuo"}.items():
                self.cfg.set(k, v)

        def load(self):
            from fahuo.wsgi import application

            return application

    App().run()


def serve(args) -> int:
    from django.db import connections

    migrate(verbosity=0)
    _collectstatic()
    connections.close_all()  # never hand an open connection to forked workers
    child = _start_worker()
    print(f"fahuo 已启动：http://{args.host}:{args.port}/  (Ctrl+C 停止)", flush=True)
    try:
        _gunicorn(args.host, args.port, getattr(args, "workers", 2))
    except SystemExit as e:  # gunicorn's arbiter exits when it is stopped
        return int(e.code or 0) if isinstance(e.code, int) else 0
    finally:
        _stop(child)
    return 0


def demo(args) -> int:
    from fahuo.demo.load import load_demo  # provided by the demo module; imported only when asked

    migrate(verbosity=0)
    load_demo(orders=args.orders)
    if args.no_serve:
        return 0
    return serve(args)

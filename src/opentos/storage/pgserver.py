"""A throwaway PostgreSQL server for tests and benchmarks.

OpenTOS runs on PostgreSQL in production, and what matters there (row locks,
serializable conflicts, ``SKIP LOCKED``) cannot be tested on SQLite. This
module starts a real server from Debian's binaries (``apt-get install -y
postgresql``) in a temporary directory, on a free port of 127.0.0.1, with
durability switched off for speed: no Docker, no system service, nothing left
behind once it stops::

    with PostgresServer() as server:
        engine = create_engine(server.create_database("ledger"))

``initdb`` and ``postgres`` refuse to run as root, and CI containers run as
root; there the binaries run as the ``postgres`` system user (``nobody`` if
Debian's package did not create it) and the temporary directory is handed to
that user.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

from opentos.errors import StorageError

__all__ = ["INSTALL_HINT", "PostgresServer", "find_pg_bindir"]

INSTALL_HINT = (
    "install PostgreSQL's server binaries with `apt-get install -y postgresql`, "
    "or set OPENTOS_PG_BINDIR to a directory holding initdb and pg_ctl"
)

_SUPERUSER = "opentos"  # created by initdb; trust authentication, so no password
_HOST = "127.0.0.1"
_START_ATTEMPTS = 3  # another process may take the free port before postgres binds it
_START_TIMEOUT_S = 60
_LOG_TAIL_LINES = 20
# Durability off: a throwaway cluster never needs to survive a crash.
_SERVER_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
)


def find_pg_bindir() -> Path | None:
    """Find the directory holding PostgreSQL's ``initdb`` and ``pg_ctl``.

    Looks at ``$OPENTOS_PG_BINDIR`` (which, when set, is the only place looked
    at), then ``pg_config --bindir``, then the newest
    ``/usr/lib/postgresql/<version>/bin``, then ``initdb`` on the ``PATH``.

    Returns
    -------
    Path | None
        The directory, or None when no PostgreSQL server binaries were found.
    """
    override = os.environ.get("OPENTOS_PG_BINDIR")
    if override:
        return Path(override) if _has_server_binaries(Path(override)) else None
    for candidate in _bindir_candidates():
        if _has_server_binaries(candidate):
            return candidate
    return None


def _bindir_candidates() -> Iterator[Path]:
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            result = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=False
            )
            if result.returncode == 0 and result.stdout.strip():
                yield Path(result.stdout.strip())
    yield from sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    initdb = shutil.which("initdb")
    if initdb is not None:
        # Resolve symlinks such as /usr/local/bin/initdb: pg_ctl must sit next to postgres.
        yield Path(initdb).resolve().parent


def _version_key(bindir: Path) -> tuple[int, ...]:
    """Order ``/usr/lib/postgresql/9.6/bin`` before ``.../15/bin``; odd names go last."""
    try:
        return tuple(int(part) for part in bindir.parent.name.split("."))
    except ValueError:
        return (-1,)


def _has_server_binaries(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in ("initdb", "pg_ctl"))


@dataclass(frozen=True, slots=True)
class _Account:
    """The unprivileged system account the server binaries run as when we are root."""

    name: str
    uid: int
    gid: int


def _account_for_server() -> _Account | None:
    """None when we are not root and may run the binaries ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return _Account(name, entry.pw_uid, entry.pw_gid)
    raise StorageError(
        "running as root, which initdb refuses, and there is neither a 'postgres' "
        "nor a 'nobody' user to run PostgreSQL as"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((_HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _tail(text: str) -> str:
    lines = text.strip().splitlines()[-_LOG_TAIL_LINES:]
    return "\n".join(lines) if lines else "(no output)"


class PostgresServer:
    """A PostgreSQL server in a temporary directory, stopped and deleted on exit.

    Parameters
    ----------
    bindir
        Directory holding ``initdb`` and ``pg_ctl``; found with
        :func:`find_pg_bindir` when None.
    """

    def __init__(self, bindir: Path | None = None) -> None:
        self._bindir = bindir
        self._account: _Account | None = None
        self._directory: Path | None = None
        self._port: int | None = None

    def __repr__(self) -> str:
        return f"PostgresServer(port={self._port}, directory={self._directory})"

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether :meth:`start` succeeded and :meth:`stop` has not been called since."""
        return self._port is not None

    @property
    def port(self) -> int:
        """The TCP port on 127.0.0.1 the server listens on."""
        if self._port is None:
            raise StorageError(f"{self!r} is not running; call start() first")
        return self._port

    @property
    def directory(self) -> Path:
        """The temporary directory holding the cluster (``data/``) and ``postgres.log``."""
        if self._directory is None:
            raise StorageError(f"{self!r} is not running; call start() first")
        return self._directory

    def start(self) -> None:
        """Create a cluster in a new temporary directory and start the server on it.

        Raises
        ------
        StorageError
            The binaries are missing, or ``initdb`` or ``pg_ctl start`` failed
            (the message ends with the tail of their output or of the log).
        """
        if self._directory is not None:
            return
        bindir = self._bindir or find_pg_bindir()
        if bindir is None or not _has_server_binaries(bindir):
            where = bindir if bindir is not None else "any known place"
            raise StorageError(f"no PostgreSQL initdb and pg_ctl in {where}: {INSTALL_HINT}")
        self._bindir = bindir
        self._account = _account_for_server()
        # Under /tmp, so that the unprivileged account can reach it whatever $TMPDIR says,
        # and so that the Unix socket path stays within its 107-byte limit.
        parent = "/tmp" if Path("/tmp").is_dir() else None
        self._directory = Path(tempfile.mkdtemp(prefix="opentos-pg-", dir=parent))
        atexit.register(self.stop)  # a safety net for callers that never reach stop()
        try:
            self._directory.chmod(0o755)
            self._data_dir.mkdir(mode=0o700)
            if self._account is not None:
                for path in (self._directory, self._data_dir):
                    os.chown(path, self._account.uid, self._account.gid)
            self._initdb()
            self._start_postmaster()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server at once (no checkpoint) and delete its directory; idempotent."""
        atexit.unregister(self.stop)
        directory, self._directory, self._port = self._directory, None, None
        if directory is None:
            return
        try:
            self._stop_postmaster(directory / "data")
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        """The SQLAlchemy URL of database ``dbname`` on this server (psycopg 3 driver)."""
        return f"postgresql+psycopg://{_SUPERUSER}@{_HOST}:{self.port}/{dbname}"

    @property
    def pid(self) -> int:
        """The postmaster's process id (its backends are its children).

        Raises
        ------
        StorageError
            The server is not running.
        """
        try:
            return int((self._data_dir / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, IndexError, ValueError) as exc:
            raise StorageError(f"{self!r} is not running: {exc}") from None

    def socket_url(self, dbname: str = "postgres") -> str:
        """The URL of database ``dbname`` over the server's Unix socket (same machine only:
        no TCP on the loopback, as local clients usually connect)."""
        return f"postgresql+psycopg://{_SUPERUSER}@/{dbname}?host={self.directory}&port={self.port}"

    def create_database(self, name: str) -> str:
        """Create an empty database ``name`` and return its SQLAlchemy URL."""
        try:
            with self._connect() as connection:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error as error:
            raise StorageError(f"cannot create database {name!r} on {self!r}: {error}") from error
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, closing any connection still open to it."""
        try:
            with self._connect() as connection:
                if connection.info.server_version >= 130000:
                    drop = "DROP DATABASE IF EXISTS {} WITH (FORCE)"
                else:
                    connection.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid()",
                        (name,),
                    )
                    drop = "DROP DATABASE IF EXISTS {}"
                connection.execute(sql.SQL(drop).format(sql.Identifier(name)))
        except psycopg.Error as error:
            raise StorageError(f"cannot drop database {name!r} on {self!r}: {error}") from error

    @property
    def _data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def _log_path(self) -> Path:
        return self.directory / "postgres.log"

    def _connect(self) -> psycopg.Connection[TupleRow]:
        return psycopg.connect(
            host=_HOST,
            port=self.port,
            user=_SUPERUSER,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        )

    def _initdb(self) -> None:
        command = [str(self._tool("initdb")), "-D", str(self._data_dir), "-U", _SUPERUSER]
        command += ["--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]
        result = self._run(command, cwd=self.directory, timeout_s=120)
        if result.returncode != 0:
            output = _tail(result.stderr + result.stdout)
            raise StorageError(
                f"initdb failed with exit code {result.returncode} in {self._data_dir}:\n{output}"
            )

    def _start_postmaster(self) -> None:
        for attempt in range(1, _START_ATTEMPTS + 1):
            port = _free_port()
            socket_dir = shlex.quote(str(self.directory))  # pg_ctl hands -o to a shell
            options = f"-c listen_addresses={_HOST} -p {port} -k {socket_dir} {_SERVER_OPTIONS}"
            self._log_path.unlink(missing_ok=True)  # so the tail below is this attempt's
            command = [str(self._tool("pg_ctl")), "-D", str(self._data_dir), "-o", options]
            command += ["-w", "-t", str(_START_TIMEOUT_S), "-l", str(self._log_path), "start"]
            result = self._run(
                command,
                cwd=self.directory,
                timeout_s=_START_TIMEOUT_S + 30,
            )
            if result.returncode == 0:
                self._port = port
                return
            log = self._log_path.read_text(errors="replace") if self._log_path.exists() else ""
            if "Address already in use" in log and attempt < _START_ATTEMPTS:
                continue
            raise StorageError(
                f"pg_ctl could not start PostgreSQL on port {port} in {self._data_dir}:\n"
                f"{_tail(result.stderr + result.stdout)}\n"
                f"tail of {self._log_path}:\n{_tail(log)}"
            )

    def _stop_postmaster(self, data_dir: Path) -> None:
        pid_file = data_dir / "postmaster.pid"
        if not pid_file.exists():
            return
        try:
            result = self._run(
                [str(self._tool("pg_ctl")), "-D", str(data_dir), "-m", "immediate", "-w", "stop"],
                cwd=data_dir.parent,
                timeout_s=60,
            )
            if result.returncode == 0:
                return
        except StorageError:
            pass
        # pg_ctl failed: send the immediate-shutdown signal to the postmaster ourselves.
        with contextlib.suppress(OSError, ValueError, IndexError):
            os.kill(int(pid_file.read_text().splitlines()[0]), signal.SIGQUIT)

    def _tool(self, name: str) -> Path:
        if self._bindir is None:
            raise StorageError(f"{self!r} has no PostgreSQL binaries; call start() first")
        return self._bindir / name

    def _run(
        self, command: list[str], cwd: Path, timeout_s: float
    ) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL binary, as the unprivileged account when we are root."""
        account = self._account
        # PG* variables from the caller's shell must not point the tools at another cluster.
        environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        try:
            return subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
                cwd=cwd,  # the account may not be allowed into the caller's working directory
                env=environment,
                user=account.uid if account is not None else None,
                group=account.gid if account is not None else None,
                extra_groups=[] if account is not None else None,
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise StorageError(f"cannot run {shlex.join(command)}: {error}") from error

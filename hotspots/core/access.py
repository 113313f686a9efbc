"""Who may do what: users, roles, permissions, password hashes and the login configuration.

Three roles, each allowed everything the one before it is:

- ``viewer``: aggregates only (maps of counts and hot spots, tables by ward, the patrol plan);
  no points layers, no downloads, no uploads, no edits.
- ``analyst``: also uploads data, tunes the analysis, exports and downloads, sees non-sensitive
  points layers (walkabout feedback, cameras) and edits and moderates the store's records.
- ``admin``: also deletes records, manages users and settings, and reads the audit log.

The login is configured in the TOML file named by ``$HOTSPOTS_CONFIG`` (no file: no login, and
the dashboard runs open, as ``admin``, saying so on screen)::

    [auth]
    mode = "password"            # or "header": the proxy in front of the dashboard logs in

    [users.alice]
    role = "analyst"
    password = "scrypt$16384$8$1$<salt>$<hash>"   # from `hotspots user add`, never plain text

Behind a proxy that authenticates (``mode = "header"``), the user name comes from a request
header, and the role from the user's own entry, else from a group header, else ``default_role``.
Anyone who can reach the dashboard directly could send that header, so in header mode it must
listen only where the proxy can reach it (the default, 127.0.0.1, on the proxy's machine)::

    [auth]
    mode = "header"
    user_header = "X-Forwarded-User"
    groups_header = "X-Forwarded-Groups"   # comma-separated group names (optional)
    default_role = "viewer"                # "" refuses users with no mapped role
    [auth.roles]                           # user name -> role
    "jo.bloggs@council.gov.uk" = "admin"
    [auth.groups]                          # group name -> role (the highest one wins)
    csp-analysts = "analyst"

Passwords are hashed with :func:`hashlib.scrypt` (salted, n=2**14, r=8, p=1) and compared in
constant time.

Examples
--------
>>> stored = hash_password("correct horse battery staple")
>>> stored.startswith("scrypt$") and "correct" not in stored
True
>>> verify_password("correct horse battery staple", stored), verify_password("guess", stored)
(True, False)
>>> can("viewer", "download"), can("analyst", "download"), can("analyst", "audit")
(False, True, False)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

CONFIG_ENV = "HOTSPOTS_CONFIG"
"""Environment variable: path of the TOML config holding ``[auth]`` and ``[users]``."""

ROLES: tuple[str, ...] = ("viewer", "analyst", "admin")
"""The roles, least to most allowed."""

PERMISSIONS: dict[str, str] = {
    "view": "viewer",
    "points": "analyst",
    "tune": "analyst",
    "upload": "analyst",
    "download": "analyst",
    "edit": "analyst",
    "delete": "admin",
    "users": "admin",
    "settings": "admin",
    "audit": "admin",
}
"""Each permission and the least role that has it (``points``: non-sensitive points layers;
``download``: every file the dashboard hands out; ``edit``: add, change and moderate records)."""

AuthMode = Literal["none", "password", "header"]

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
"""scrypt cost parameters of new hashes (16 MiB; about 0.1 s per hash on a small server)."""
_SALT_BYTES, _DIGEST_BYTES = 16, 32
_NAME = re.compile(r"^[A-Za-z0-9_.@+-]{1,64}$")


@dataclass(frozen=True)
class User:
    """Who is signed in: a name and a role (``password_hash`` only for configured users)."""

    name: str
    role: str
    password_hash: str = field(default="", repr=False)


OPEN_ADMIN = User("(no login)", "admin")
"""The user of a dashboard with no login configured: anyone who reaches it."""


@dataclass(frozen=True)
class AuthConfig:
    """The login configuration read from the config file (see the module docstring)."""

    mode: AuthMode = "none"
    users: Mapping[str, User] = field(default_factory=dict)
    user_header: str = "X-Forwarded-User"
    groups_header: str = ""
    default_role: str = ""
    header_roles: Mapping[str, str] = field(default_factory=dict)
    group_roles: Mapping[str, str] = field(default_factory=dict)

    @property
    def required(self) -> bool:
        """Whether visitors must be identified (a password login or a proxy's header)."""
        return self.mode != "none"


def check_role(role: str) -> str:
    """``role`` if it is one of :data:`ROLES`, else ``ValueError`` naming the choices."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose from {', '.join(ROLES)}")
    return role


def can(role: str, permission: str) -> bool:
    """Whether ``role`` has ``permission`` (:data:`PERMISSIONS`); unknown roles have none."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}; choose from {sorted(PERMISSIONS)}")
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(PERMISSIONS[permission])


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A salted scrypt hash of ``password``: ``scrypt$n$r$p$salt$hash`` (base64 salt and hash).

    Raises
    ------
    ValueError
        An empty password.
    """
    if not password:
        raise ValueError("the password is empty")
    salt = secrets.token_bytes(_SALT_BYTES) if salt is None else salt
    digest = hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        dklen=_DIGEST_BYTES,
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (from :func:`hash_password`); constant time.

    A malformed ``stored`` value (plain text, another scheme) never matches.
    """
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest, validate=True)
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt, validate=True),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=2**26,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


_DUMMY_HASH = (
    f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$"
    f"{_b64(bytes(_SALT_BYTES))}${_b64(bytes(_DIGEST_BYTES))}"
)
"""What an unknown name's password is checked against: a stored value of a new hash's form and
cost (the same scrypt work as a wrong password) that no password matches (its digest all zero
bytes), written without hashing (a hash here cost every start 0.05 s of CPU)."""


def authenticate(config: AuthConfig, name: str, password: str) -> User | None:
    """The configured user ``name`` when ``password`` is theirs, else ``None``.

    An unknown name costs the same scrypt work as a wrong password, so the time taken does not
    tell which names exist.
    """
    user = config.users.get(name)
    ok = verify_password(password, user.password_hash if user else _DUMMY_HASH)
    return user if ok and user is not None else None


def header_user(config: AuthConfig, headers: Mapping[str, str]) -> User | None:
    """The user a proxy vouched for in ``headers`` (``mode = "header"``), with their role.

    The role is the user's entry in ``[auth.roles]`` (or ``[users.NAME]``), else the highest
    role of their groups in ``[auth.groups]``, else ``default_role``; ``None`` when there is no
    user header or no role for them. Header names are matched case-insensitively.
    """
    lower = {key.lower(): value for key, value in headers.items()}
    name = lower.get(config.user_header.lower(), "").strip()
    if not name:
        return None
    role = config.header_roles.get(name) or (
        config.users[name].role if name in config.users else ""
    )
    if not role and config.groups_header:
        groups = [g.strip() for g in lower.get(config.groups_header.lower(), "").split(",")]
        mapped = [config.group_roles[g] for g in groups if g in config.group_roles]
        role = max(mapped, key=ROLES.index, default="")
    role = role or config.default_role
    return User(name, role) if role in ROLES else None


def config_path() -> Path | None:
    """The config file named by ``$HOTSPOTS_CONFIG``, or ``None`` when it is not set."""
    value = os.environ.get(CONFIG_ENV, "").strip()
    return Path(value) if value else None


def read_config(path: str | os.PathLike[str]) -> dict:
    """The TOML config at ``path`` as a dict (``ValueError`` naming the file when it is bad)."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path}: not valid TOML ({err})") from err


def auth_config(config: Mapping) -> AuthConfig:
    """The :class:`AuthConfig` of a parsed config (its ``[auth]`` and ``[users]`` tables).

    With users but no ``[auth] mode``, the mode is ``password``; with neither, ``none``.

    Raises
    ------
    ValueError
        An unknown mode or role, or a user without a password hash in password mode.
    """
    auth = dict(config.get("auth", {}))
    users: dict[str, User] = {}
    for name, entry in dict(config.get("users", {})).items():
        if not isinstance(entry, Mapping):
            raise ValueError(f"[users] {name}: expected a table with role and password")
        role = check_role(str(entry.get("role", "viewer")))
        users[name] = User(str(name), role, str(entry.get("password", "")))
    mode = auth.get("mode", "password" if users else "none")
    if mode not in ("none", "password", "header"):
        raise ValueError(f"[auth] mode {mode!r}: choose none, password or header")
    if mode == "password":
        for user in users.values():
            if not user.password_hash.startswith("scrypt$"):
                raise ValueError(
                    f"[users.{user.name}]: password must be a hash from `hotspots user add`, "
                    "never the password itself"
                )
    roles = {str(k): check_role(str(v)) for k, v in dict(auth.get("roles", {})).items()}
    groups = {str(k): check_role(str(v)) for k, v in dict(auth.get("groups", {})).items()}
    default_role = str(auth.get("default_role", ""))
    if default_role:
        check_role(default_role)
    return AuthConfig(
        mode=mode,
        users=users,
        user_header=str(auth.get("user_header", "X-Forwarded-User")),
        groups_header=str(auth.get("groups_header", "")),
        default_role=default_role,
        header_roles=roles,
        group_roles=groups,
    )


def load_auth_config(path: str | os.PathLike[str] | None = None) -> AuthConfig:
    """The login configuration of ``path`` (default :func:`config_path`; none: no login)."""
    path = config_path() if path is None else Path(path)
    if path is None:
        return AuthConfig()
    return auth_config(read_config(path))


def _users_header(name: str) -> str:
    return f'[users."{name}"]'


def _without_user(text: str, name: str) -> str:
    """``text`` with the ``[users.NAME]`` table (header to the next header) removed."""
    quoted = re.escape(name)
    header = re.compile(rf'^\s*\[\s*users\s*\.\s*(?:"{quoted}"|{quoted})\s*\]\s*$')
    out: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith("["):
            skipping = bool(header.match(line.rstrip("\r\n")))
        if not skipping:
            out.append(line)
    return "".join(out)


def set_user(path: str | os.PathLike[str], name: str, role: str, password: str) -> None:
    """Add user ``name`` (or replace their role and password) in the config file at ``path``.

    The password is stored only as its :func:`hash_password` hash; the rest of the file is kept
    as it is, and the file is created when missing. The new text is parsed before it is written,
    so a file this cannot edit safely is left unchanged.

    Raises
    ------
    ValueError
        A name other than letters, digits and ``_ . @ + -`` (1 to 64), an unknown role, an
        empty password, or a config file whose users this cannot edit.
    """
    if not _NAME.match(name):
        raise ValueError(f"user name {name!r}: use 1 to 64 letters, digits or _ . @ + -")
    check_role(role)
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if text:
        read_config(path)  # a broken file is reported, not edited
    kept = _without_user(text, name)
    if kept and not kept.endswith("\n"):
        kept += "\n"
    entry = f'{_users_header(name)}\nrole = "{role}"\npassword = "{hash_password(password)}"\n'
    new_text = kept + ("\n" if kept else "") + entry
    try:
        parsed = tomllib.loads(new_text)
        stored = parsed["users"][name]
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as err:
        raise ValueError(
            f"{path}: cannot add user {name!r} to this file's [users] ({err}); "
            f"write their entry as a [users.{name}] table"
        ) from err
    if stored.get("role") != role:
        raise ValueError(f"{path}: user {name!r} is defined twice; remove one entry")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new_text, encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)

"""``assistant users``: class accounts for the web app (ASSISTANT_USERS_FILE).

    python -m assistant users add NAME --role trainer     # asks for the password twice
    echo "secret" | python -m assistant users add NAME --password-stdin
    python -m assistant users list
    python -m assistant users remove NAME
"""
from __future__ import annotations

import getpass
import sys

from assistant.commands._common import add_setting_args, fail


def register(sub) -> None:
    p = sub.add_parser("users", help="class accounts for the web app (login)",
                       description="Manage the users file that turns on login in the web app. "
                                   "Format: one 'name:role:scrypt-hash' line per user; role trainee or trainer.")
    add_setting_args(p, ["users_file"], aliases={"users_file": ["--file"]})
    ps = p.add_subparsers(dest="users_cmd", metavar="ACTION")
    a = ps.add_parser("add", help="add a user or change their password/role")
    a.add_argument("name")
    a.add_argument("--role", choices=["trainee", "trainer"], default="trainee")
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    ps.add_parser("list", help="list users and roles")
    r = ps.add_parser("remove", help="remove a user")
    r.add_argument("name")
    p.set_defaults(func=run)


def run(args) -> int:
    from assistant.config import load_settings
    from assistant.ui.auth import User, UsersFileError, hash_password, read_users, write_users

    path = args.users_file or load_settings(env_file=getattr(args, "env_file", ".env")).users_file
    if not path:
        return fail("users: set ASSISTANT_USERS_FILE or pass --file PATH (e.g. --file .assistant/users.txt)", 2)
    try:
        users = read_users(path)
    except UsersFileError as exc:
        return fail(str(exc), 2)
    cmd = getattr(args, "users_cmd", None)
    if cmd == "list":
        for u in sorted(users.values(), key=lambda u: u.name):
            print(f"{u.name}\t{u.role}")
        return 0
    if cmd == "remove":
        if args.name not in users:
            return fail(f"users: no user {args.name!r} in {path}", 1)
        del users[args.name]
        write_users(path, users)
        print(f"removed {args.name}")
        return 0
    if cmd == "add":
        name = args.name.strip()
        if not name or ":" in name or any(c.isspace() for c in name):
            return fail("users: a name cannot be empty or contain ':' or spaces", 2)
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(f"Password for {name}: ")
            if password != getpass.getpass("Again: "):
                return fail("users: the two passwords differ", 2)
        if len(password) < 6:
            return fail("users: use a password of at least 6 characters", 2)
        users[name] = User(name, args.role, hash_password(password))
        write_users(path, users)
        print(f"{name}: {args.role} ({path})")
        return 0
    return fail("users: choose an action: add, list, remove", 2)

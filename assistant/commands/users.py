"""``assistant users``: class accounts for the web app and classes (groups of accounts).

    python -m assistant users add NAME --role trainer     # asks for the password twice
    echo "secret" | python -m assistant users add NAME --password-stdin
    python -m assistant users list
    python -m assistant users remove NAME
    python -m assistant users import roster.csv [--passwords-out new-passwords.csv]
    python -m assistant users class create K01-2025
    python -m assistant users class add K01-2025 minh hoa        # trainees
    python -m assistant users class add K01-2025 lan --role trainer
    python -m assistant users class list [K01-2025]
    python -m assistant users class remove K01-2025 hoa
    python -m assistant users class delete K01-2025

Accounts live in the users file (ASSISTANT_USERS_FILE, one laptop) or, when ASSISTANT_DATABASE_URL is set,
in the shared database (several app instances). Classes always live in the app's database.

The roster CSV has a header row with the columns ``class``, ``name``, ``role`` (trainee or trainer; default
trainee) and ``password`` (optional; Vietnamese headers ``lớp``, ``tài khoản``, ``vai trò``, ``mật khẩu``
work too). A new account without a password gets a random one, listed once (``--passwords-out`` writes
them to a file readable only by you). Existing accounts keep their password. Every row is checked first:
a file with a bad row changes nothing and names the line and the reason.
"""
from __future__ import annotations

import csv
import getpass
import os
import secrets
import sys
import unicodedata
from pathlib import Path

from assistant.commands._common import add_setting_args, fail, settings_from

HEADERS = {"class": "class", "lop": "class", "ten lop": "class",
           "name": "name", "user": "name", "username": "name", "account": "name", "tai khoan": "name",
           "ten dang nhap": "name", "role": "role", "vai tro": "role", "password": "password", "mat khau": "password"}
ROLE_WORDS = {"trainee": "trainee", "hoc vien": "trainee", "trainer": "trainer", "giang vien": "trainer", "": "trainee"}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().replace("_", " ").split())


def register(sub) -> None:
    p = sub.add_parser("users", help="class accounts for the web app (login) and classes",
                       description="Manage the accounts that turn on login in the web app (the users file, or the "
                                   "shared database when ASSISTANT_DATABASE_URL is set) and the classes trainers see.")
    add_setting_args(p, ["users_file", "database_url", "data_dir"], aliases={"users_file": ["--file"]})
    ps = p.add_subparsers(dest="users_cmd", metavar="ACTION")
    a = ps.add_parser("add", help="add a user or change their password/role")
    a.add_argument("name")
    a.add_argument("--role", choices=["trainee", "trainer"], default="trainee")
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    ps.add_parser("list", help="list users and roles")
    r = ps.add_parser("remove", help="remove a user")
    r.add_argument("name")
    i = ps.add_parser("import", help="create accounts and fill classes from a CSV roster")
    i.add_argument("csv", help="roster file: columns class, name, role, password")
    i.add_argument("--passwords-out", metavar="PATH", help="write the passwords made for new accounts here (mode 600)")
    c = ps.add_parser("class", help="classes: create, add, remove, list, delete")
    cs = c.add_subparsers(dest="class_cmd", metavar="CLASS-ACTION")
    cs.add_parser("create", help="create a class").add_argument("name")
    ca = cs.add_parser("add", help="add accounts to a class (creating it if needed)")
    ca.add_argument("name")
    ca.add_argument("members", nargs="+")
    ca.add_argument("--role", choices=["trainee", "trainer"], default="trainee")
    cr = cs.add_parser("remove", help="take accounts out of a class")
    cr.add_argument("name")
    cr.add_argument("members", nargs="+")
    cl = cs.add_parser("list", help="list classes, or the members of one")
    cl.add_argument("name", nargs="?")
    cs.add_parser("delete", help="delete a class (its members' accounts and results stay)").add_argument("name")
    p.set_defaults(func=run)


def _accounts(settings):
    from assistant.ui.auth import Accounts

    return Accounts.for_settings(settings)


def _bad_name(name: str) -> bool:
    return not name or ":" in name or any(ch.isspace() for ch in name) or len(name) > 100


def run(args) -> int:
    from assistant.ui.auth import UsersFileError

    settings = settings_from(args)
    cmd = getattr(args, "users_cmd", None)
    if cmd == "class":
        return run_class(args, settings)
    if not settings.users_file and not settings.database_url:
        return fail("users: set ASSISTANT_USERS_FILE or pass --file PATH (e.g. --file .assistant/users.txt), "
                    "or ASSISTANT_DATABASE_URL for accounts in a shared database", 2)
    accounts = _accounts(settings)
    where = "database" if accounts.store is not None else settings.users_file
    try:
        users = accounts.users()
    except UsersFileError as exc:
        return fail(str(exc), 2)
    if cmd == "list":
        for u in sorted(users.values(), key=lambda u: u.name):
            print(f"{u.name}\t{u.role}")
        return 0
    if cmd == "remove":
        if args.name not in users:
            return fail(f"users: no user {args.name!r} in {where}", 1)
        accounts.remove(args.name)
        print(f"removed {args.name}")
        return 0
    if cmd == "add":
        return add_user(args, accounts, where)
    if cmd == "import":
        return import_roster(args, settings, accounts)
    return fail("users: choose an action: add, list, remove, import, class", 2)


def add_user(args, accounts, where) -> int:
    from assistant.ui.auth import User, hash_password

    name = args.name.strip()
    if _bad_name(name):
        return fail("users: a name cannot be empty or contain ':' or spaces", 2)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {name}: ")
        if password != getpass.getpass("Again: "):
            return fail("users: the two passwords differ", 2)
    if len(password) < 6:
        return fail("users: use a password of at least 6 characters", 2)
    accounts.put(User(name, args.role, hash_password(password)))
    print(f"{name}: {args.role} ({where})")
    return 0


def read_roster(path: str) -> tuple[list[dict], list[str]]:
    """Rows {class, name, role, password, line} of a roster CSV, and the problems found (file:line: reason)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [f"{path}: cannot read the file as UTF-8 text ({exc.__class__.__name__})"]
    first = text.splitlines()[0] if text.strip() else ""
    delim = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(text.splitlines(), delimiter=delim)
    rows, problems = [], []
    header = next(reader, None)
    cols = [HEADERS.get(_fold(h)) for h in header or []]
    if "class" not in cols or "name" not in cols:
        return [], [f"{path}:1: the header row needs the columns class and name (found: {', '.join(header or []) or '-'})"]
    for n, raw in enumerate(reader, start=2):
        if not any(x.strip() for x in raw):
            continue
        row = {c: (raw[i].strip() if i < len(raw) else "") for i, c in enumerate(cols) if c}
        role = ROLE_WORDS.get(_fold(row.get("role", "")))
        if not row.get("class"):
            problems.append(f"{path}:{n}: the class is empty")
        elif _bad_name(row.get("name", "")):
            problems.append(f"{path}:{n}: the name {row.get('name', '')!r} is empty or has ':' or spaces")
        elif role is None:
            problems.append(f"{path}:{n}: the role {row.get('role')!r} is not trainee or trainer")
        elif row.get("password") and len(row["password"]) < 6:
            problems.append(f"{path}:{n}: the password of {row['name']} is shorter than 6 characters")
        else:
            rows.append({"class": row["class"], "name": row["name"], "role": role, "password": row.get("password", ""),
                         "line": n})
    return rows, problems


def import_roster(args, settings, accounts) -> int:
    from assistant.progress import get_store
    from assistant.ui.auth import User, hash_password

    rows, problems = read_roster(args.csv)
    if problems:
        return fail("users import: nothing changed.\n" + "\n".join(problems), 2)
    existing = accounts.users()
    store = get_store(settings)
    made: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for r in rows:
        name = r["name"]
        if name not in existing and name not in seen:
            password = r["password"] or secrets.token_urlsafe(9)
            if not r["password"]:
                made.append((name, password))
            accounts.put(User(name, r["role"], hash_password(password)))
        elif name in existing and existing[name].role != r["role"] and r["role"] == "trainer":
            accounts.put(User(name, "trainer", existing[name].hash))
        seen[name] = r["role"]
        store.class_add(r["class"], name, r["role"])
    classes = sorted({r["class"] for r in rows})
    print(f"{len(rows)} rows: {len(seen)} accounts, {len(classes)} classes ({', '.join(classes)})")
    if made:
        if args.passwords_out:
            out = Path(args.passwords_out)
            with open(out, "w", encoding="utf-8", newline="") as f:
                os.chmod(out, 0o600)
                w = csv.writer(f)
                w.writerow(["name", "password"])
                w.writerows(made)
            print(f"{len(made)} new passwords written to {out}")
        else:
            print("new accounts and their passwords (shown once):")
            for name, password in made:
                print(f"{name}\t{password}")
    return 0


def run_class(args, settings) -> int:
    from assistant.progress import get_store

    store = get_store(settings)
    cmd = getattr(args, "class_cmd", None)
    if cmd == "create":
        if not args.name.strip():
            return fail("users class: a class needs a name", 2)
        store.class_create(args.name)
        print(f"class {args.name}")
        return 0
    if cmd == "add":
        bad = [m for m in args.members if _bad_name(m)]
        if bad:
            return fail(f"users class: bad account names: {', '.join(map(repr, bad))}", 2)
        known = _known_accounts(settings)
        for m in args.members:
            store.class_add(args.name, m, args.role)
        print(f"{args.name}: {', '.join(args.members)} ({args.role})")
        missing = [m for m in args.members if known is not None and m not in known]
        if missing:
            print(f"note: no account yet for {', '.join(missing)} (add it with: assistant users add NAME)")
        return 0
    if cmd == "remove":
        gone = [m for m in args.members if store.class_remove(args.name, m)]
        if not gone:
            return fail(f"users class: none of {', '.join(args.members)} is in {args.name!r}", 1)
        print(f"{args.name}: removed {', '.join(gone)}")
        return 0
    if cmd == "delete":
        if not store.class_delete(args.name):
            return fail(f"users class: no class {args.name!r}", 1)
        print(f"deleted class {args.name}")
        return 0
    if cmd == "list":
        if args.name:
            if not store.class_exists(args.name):
                return fail(f"users class: no class {args.name!r}", 1)
            for member, role in store.members(args.name):
                print(f"{member}\t{role}")
            return 0
        for name in store.classes():
            members = store.members(name)
            print(f"{name}\t{sum(1 for _, r in members if r == 'trainee')} trainees\t"
                  f"{', '.join(m for m, r in members if r == 'trainer') or '-'}")
        return 0
    return fail("users class: choose create, add, remove, list or delete", 2)


def _known_accounts(settings):
    if not settings.users_file and not settings.database_url:
        return None
    try:
        return set(_accounts(settings).users())
    except Exception:  # noqa: BLE001 - the note is a courtesy
        return None

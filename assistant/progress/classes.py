"""Classes (groups of accounts, each member a trainee or a trainer of the class) and, with a shared
database, the accounts themselves — the part of :class:`~assistant.progress.store.ProgressStore` that
says who belongs where. Every write is one transaction."""
from __future__ import annotations

import time

import sqlalchemy as sa

from assistant.progress import schema as S
from assistant.progress.db import insert_ignore, upsert, writing

ROLES = ("trainee", "trainer")


class ClassesAndAccounts:
    engine: sa.engine.Engine

    # ------------------------------------------------------------ classes
    def class_create(self, name: str) -> int:
        name = name.strip()
        if not name:
            raise ValueError("a class needs a name")
        with writing(self.engine) as c:
            c.execute(insert_ignore(self.engine, S.classes, ["name"]).values(name=name, created=time.time()))
            return int(c.execute(sa.select(S.classes.c.id).where(S.classes.c.name == name)).scalar())

    def class_delete(self, name: str) -> bool:
        with writing(self.engine) as c:
            cid = c.execute(sa.select(S.classes.c.id).where(S.classes.c.name == name)).scalar()
            if cid is None:
                return False
            c.execute(S.class_members.delete().where(S.class_members.c.class_id == cid))
            c.execute(S.classes.delete().where(S.classes.c.id == cid))
            return True

    def class_add(self, name: str, member: str, role: str = "trainee") -> None:
        if role not in ROLES:
            raise ValueError(f"role must be trainee or trainer, not {role!r}")
        cid = self.class_create(name)
        with writing(self.engine) as c:
            c.execute(upsert(self.engine, S.class_members, dict(class_id=cid, member=member, role=role),
                             ["class_id", "member"], ["role"]))

    def class_remove(self, name: str, member: str) -> bool:
        m = S.class_members
        with writing(self.engine) as c:
            cid = c.execute(sa.select(S.classes.c.id).where(S.classes.c.name == name)).scalar()
            if cid is None:
                return False
            return c.execute(m.delete().where(m.c.class_id == cid, m.c.member == member)).rowcount > 0

    def classes(self) -> list[str]:
        with self.engine.connect() as c:
            return [r[0] for r in c.execute(sa.select(S.classes.c.name).order_by(S.classes.c.name))]

    def classes_of(self, member: str, role: str | None = None) -> list[str]:
        m, k = S.class_members, S.classes
        q = sa.select(k.c.name).join(m, m.c.class_id == k.c.id).where(m.c.member == member)
        if role:
            q = q.where(m.c.role == role)
        with self.engine.connect() as c:
            return [r[0] for r in c.execute(q.order_by(k.c.name))]

    def members(self, name: str, role: str | None = None) -> list[tuple[str, str]]:
        """(member, role) of a class, sorted by name; [] for an unknown class."""
        m, k = S.class_members, S.classes
        q = sa.select(m.c.member, m.c.role).join(k, m.c.class_id == k.c.id).where(k.c.name == name)
        if role:
            q = q.where(m.c.role == role)
        with self.engine.connect() as c:
            return [(r[0], r[1]) for r in c.execute(q.order_by(m.c.member))]

    def class_exists(self, name: str) -> bool:
        with self.engine.connect() as c:
            return c.execute(sa.select(S.classes.c.id).where(S.classes.c.name == name)).first() is not None

    # ------------------------------------------------------------ accounts (shared database)
    def accounts(self) -> dict[str, tuple[str, str]]:
        """name -> (role, password hash)."""
        with self.engine.connect() as c:
            return {r.name: (r.role, r.hash) for r in c.execute(sa.select(S.accounts))}

    def account_put(self, name: str, role: str, password_hash: str) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be trainee or trainer, not {role!r}")
        now = time.time()
        with writing(self.engine) as c:
            c.execute(upsert(self.engine, S.accounts, dict(name=name, role=role, hash=password_hash, created=now,
                                                           updated=now), ["name"], ["role", "hash", "updated"]))

    def account_delete(self, name: str) -> bool:
        with writing(self.engine) as c:
            return c.execute(S.accounts.delete().where(S.accounts.c.name == name)).rowcount > 0

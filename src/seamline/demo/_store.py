"""SQLite persistence for the demo shop.

Money is stored as exact decimal text with two decimals (``products.price``,
``orders.total``, ``order_items.price``, e.g. ``'59.98'``): SQLite has no exact
decimal type, and a NUMERIC column would turn the value into a binary float. So a
test that reads the tables sees the same 59.98 as the JSON shows.

Tables (the example suites check some of them directly)::

    products    (sku TEXT PK, name TEXT, price TEXT decimal)
    tokens      (token TEXT PK, user TEXT, created TEXT)
    cart_items  (user TEXT, sku TEXT, qty INTEGER)             PK (user, sku)
    orders      (id TEXT PK, user TEXT, status TEXT, total TEXT decimal,
                 created TEXT ISO 8601 UTC, e.g. 2024-05-01T12:30:00Z)
    order_items (order_id TEXT, sku TEXT, qty INTEGER, price TEXT decimal)
    posts       (id INTEGER PK, user_id INTEGER, title TEXT, body TEXT)
    comments    (id INTEGER PK, post_id INTEGER, name TEXT, email TEXT, body TEXT)
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

__all__ = [
    "Comment",
    "Line",
    "Order",
    "Post",
    "Product",
    "Store",
    "UnknownSkuError",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    sku   TEXT PRIMARY KEY,
    name  TEXT NOT NULL,
    price TEXT NOT NULL CHECK (CAST(price AS NUMERIC) > 0)
);
CREATE TABLE IF NOT EXISTS tokens (
    token   TEXT PRIMARY KEY,
    user    TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cart_items (
    user TEXT NOT NULL,
    sku  TEXT NOT NULL REFERENCES products (sku),
    qty  INTEGER NOT NULL CHECK (qty > 0),
    PRIMARY KEY (user, sku)
);
CREATE TABLE IF NOT EXISTS orders (
    id      TEXT PRIMARY KEY,
    user    TEXT NOT NULL,
    status  TEXT NOT NULL,
    total   TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS order_items (
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    sku      TEXT NOT NULL REFERENCES products (sku),
    qty      INTEGER NOT NULL CHECK (qty > 0),
    price    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS order_items_by_order ON order_items (order_id);
CREATE TABLE IF NOT EXISTS posts (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    title   TEXT NOT NULL,
    body    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS comments (
    id      INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts (id),
    name    TEXT NOT NULL,
    email   TEXT NOT NULL,
    body    TEXT NOT NULL
);
"""

# (sku, name, price). 2 x A1 = 59.98 is used by the example suites.
SEED_PRODUCTS: tuple[tuple[str, str, str], ...] = (
    ("A1", "Widget", "29.99"),
    ("B2", "Gadget", "9.50"),
    ("C3", "Doohickey", "4.25"),
    ("D4", "Sprocket", "0.99"),
)

# (id, user_id, title, body)
SEED_POSTS: tuple[tuple[int, int, str, str], ...] = (
    (1, 1, "Opening day", "The demo shop is open. Widgets are on the top shelf."),
    (2, 1, "Gadget restock", "Gadgets are back in stock after a short delay."),
    (3, 2, "Care for your doohickey", "Keep it dry and away from magnets."),
)

# (id, post_id, name, email, body)
SEED_COMMENTS: tuple[tuple[int, int, str, str, str], ...] = (
    (1, 1, "First visit", "ada@example.com", "Found the widgets right away."),
    (2, 1, "Parking", "grace@example.com", "Is there parking near the shop?"),
    (3, 2, "Finally", "alan@example.com", "I have been waiting for these."),
    (4, 2, "Price", "edsger@example.com", "Same price as before?"),
    (5, 3, "Magnets", "barbara@example.com", "Good to know about the magnets."),
    (6, 3, "Rain", "ken@example.com", "Mine survived a rain shower."),
)

ORDER_STATUS_PENDING = "pending"
ORDER_STATUS_CONFIRMED = "confirmed"
ORDER_STATUS_FAILED = "failed"


class UnknownSkuError(LookupError):
    """A request named a product that does not exist."""

    def __init__(self, sku: str) -> None:
        super().__init__(f"unknown sku {sku!r}")
        self.sku = sku


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: Decimal


@dataclass(frozen=True)
class Line:
    """One line of a cart or an order; ``price`` is the unit price."""

    sku: str
    qty: int
    name: str
    price: Decimal


@dataclass(frozen=True)
class Order:
    id: str
    user: str
    status: str
    total: Decimal
    created: datetime
    items: tuple[Line, ...]


@dataclass(frozen=True)
class Post:
    id: int
    user_id: int
    title: str
    body: str


@dataclass(frozen=True)
class Comment:
    id: int
    post_id: int
    name: str
    email: str
    body: str


CENT = Decimal("0.01")


def money(value: Decimal | str) -> Decimal:
    """An amount rounded to the cent: how every amount is stored and shown."""
    return Decimal(value).quantize(CENT)


def _money_text(value: Decimal) -> str:
    return str(money(value))


def _utc_now() -> datetime:
    # Whole seconds keep the stored text and the JSON short and identical.
    return datetime.now(timezone.utc).replace(microsecond=0)


def _format_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(text: str) -> datetime:
    # fromisoformat() only accepts a trailing "Z" from Python 3.11 on.
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Store:
    """Thread-safe access to the shop's SQLite file.

    One connection guarded by a lock: the server may call in from several
    threads and SQLite connections must not be used concurrently. The
    connection is opened at construction (so a bad path fails early), closed
    by :meth:`close`, and reopened on the next use.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        with self._locked() as conn:
            conn.executescript("BEGIN IMMEDIATE;" + _SCHEMA + "COMMIT;")
        self._seed()

    # -- connection handling -------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: autocommit, transactions are explicit below.
        # timeout: wait for a test's own connection that holds a write lock.
        conn = sqlite3.connect(
            self.path, timeout=5.0, isolation_level=None, check_same_thread=False
        )
        # WAL lets test steps read the tables while the server writes.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @contextmanager
    def _locked(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                self._conn = self._connect()
            yield self._conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._locked() as conn:
            if conn.in_transaction:  # nested use: join the outer transaction
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection; safe to call more than once."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _seed(self) -> None:
        # INSERT OR IGNORE: a restart on the same file keeps what tests changed.
        with self._transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO products (sku, name, price) VALUES (?, ?, ?)",
                SEED_PRODUCTS,
            )
            conn.executemany(
                "INSERT OR IGNORE INTO posts (id, user_id, title, body) VALUES (?, ?, ?, ?)",
                SEED_POSTS,
            )
            conn.executemany(
                "INSERT OR IGNORE INTO comments (id, post_id, name, email, body)"
                " VALUES (?, ?, ?, ?, ?)",
                SEED_COMMENTS,
            )

    # -- tokens --------------------------------------------------------------

    def add_token(self, token: str, user: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO tokens (token, user, created) VALUES (?, ?, ?)",
                (token, user, _format_time(_utc_now())),
            )

    def user_for_token(self, token: str) -> str | None:
        with self._locked() as conn:
            row = conn.execute("SELECT user FROM tokens WHERE token = ?", (token,)).fetchone()
        return None if row is None else str(row[0])

    # -- products ------------------------------------------------------------

    def list_products(self) -> list[Product]:
        with self._locked() as conn:
            rows = conn.execute("SELECT sku, name, price FROM products ORDER BY sku").fetchall()
        return [Product(sku, name, money(price)) for sku, name, price in rows]

    def get_product(self, sku: str) -> Product | None:
        with self._locked() as conn:
            row = conn.execute(
                "SELECT sku, name, price FROM products WHERE sku = ?", (sku,)
            ).fetchone()
        return None if row is None else Product(row[0], row[1], money(row[2]))

    def add_product(self, product: Product) -> bool:
        """Insert a product; False if the sku is already taken."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO products (sku, name, price) VALUES (?, ?, ?)",
                (product.sku, product.name, _money_text(product.price)),
            )
            return cursor.rowcount == 1

    def _check_skus(self, conn: sqlite3.Connection, skus: Sequence[str]) -> None:
        for sku in skus:
            if conn.execute("SELECT 1 FROM products WHERE sku = ?", (sku,)).fetchone() is None:
                raise UnknownSkuError(sku)

    # -- cart ----------------------------------------------------------------

    def replace_cart(self, user: str, items: Sequence[tuple[str, int]]) -> list[Line]:
        """Replace the user's cart with ``(sku, qty)`` pairs, atomically."""
        with self._transaction() as conn:
            self._check_skus(conn, [sku for sku, _ in items])
            conn.execute("DELETE FROM cart_items WHERE user = ?", (user,))
            conn.executemany(
                "INSERT INTO cart_items (user, sku, qty) VALUES (?, ?, ?)",
                [(user, sku, qty) for sku, qty in items],
            )
            return self.get_cart(user)

    def get_cart(self, user: str) -> list[Line]:
        with self._locked() as conn:
            # rowid order is insertion order, i.e. the order the client sent.
            rows = conn.execute(
                "SELECT c.sku, c.qty, p.name, p.price FROM cart_items AS c"
                " JOIN products AS p ON p.sku = c.sku"
                " WHERE c.user = ? ORDER BY c.rowid",
                (user,),
            ).fetchall()
        return [Line(sku, qty, name, money(price)) for sku, qty, name, price in rows]

    def clear_cart(self, user: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM cart_items WHERE user = ?", (user,))

    # -- orders --------------------------------------------------------------

    def create_order(self, user: str, items: Sequence[tuple[str, int]]) -> Order:
        order_id = str(uuid.uuid4())
        created = _format_time(_utc_now())
        with self._transaction() as conn:
            self._check_skus(conn, [sku for sku, _ in items])
            lines = []
            for sku, qty in items:
                (price,) = conn.execute(
                    "SELECT price FROM products WHERE sku = ?", (sku,)
                ).fetchone()
                lines.append((order_id, sku, qty, money(price)))
            total = sum((qty * price for _, _, qty, price in lines), Decimal(0))
            conn.execute(
                "INSERT INTO orders (id, user, status, total, created) VALUES (?, ?, ?, ?, ?)",
                (order_id, user, ORDER_STATUS_PENDING, _money_text(total), created),
            )
            conn.executemany(
                "INSERT INTO order_items (order_id, sku, qty, price) VALUES (?, ?, ?, ?)",
                [(oid, sku, qty, _money_text(price)) for oid, sku, qty, price in lines],
            )
            order = self.get_order(user, order_id)
        assert order is not None  # written in the transaction above
        return order

    def _order_lines(self, conn: sqlite3.Connection, order_id: str) -> tuple[Line, ...]:
        rows = conn.execute(
            "SELECT i.sku, i.qty, p.name, i.price FROM order_items AS i"
            " JOIN products AS p ON p.sku = i.sku"
            " WHERE i.order_id = ? ORDER BY i.rowid",
            (order_id,),
        ).fetchall()
        return tuple(Line(sku, qty, name, money(price)) for sku, qty, name, price in rows)

    def get_order(self, user: str, order_id: str) -> Order | None:
        """The user's order, or None (also for another user's order)."""
        with self._locked() as conn:
            row = conn.execute(
                "SELECT id, user, status, total, created FROM orders WHERE id = ? AND user = ?",
                (order_id, user),
            ).fetchone()
            if row is None:
                return None
            return Order(
                row[0], row[1], row[2], money(row[3]), _parse_time(row[4]), self._order_lines(conn, row[0])
            )

    def list_orders(self, user: str) -> list[Order]:
        with self._locked() as conn:
            rows = conn.execute(
                "SELECT id, user, status, total, created FROM orders"
                " WHERE user = ? ORDER BY created, rowid",
                (user,),
            ).fetchall()
            return [
                Order(r[0], r[1], r[2], money(r[3]), _parse_time(r[4]), self._order_lines(conn, r[0]))
                for r in rows
            ]

    def set_order_status(self, order_id: str, status: str) -> bool:
        """Move an order on (pending -> confirmed or failed); False if it is gone."""
        with self._transaction() as conn:
            cursor = conn.execute("UPDATE orders SET status = ? WHERE id = ?", (status, order_id))
            return cursor.rowcount > 0

    def delete_order(self, user: str, order_id: str) -> bool:
        """Delete the user's order; False if there is no such order."""
        with self._transaction() as conn:
            cursor = conn.execute("DELETE FROM orders WHERE id = ? AND user = ?", (order_id, user))
            if cursor.rowcount == 0:
                return False
            # Explicit as well as ON DELETE CASCADE: an external connection
            # may have created rows without foreign keys switched on.
            conn.execute("DELETE FROM order_items WHERE order_id = ?", (order_id,))
            return True

    # -- posts ---------------------------------------------------------------

    def list_posts(self) -> list[Post]:
        with self._locked() as conn:
            rows = conn.execute("SELECT id, user_id, title, body FROM posts ORDER BY id").fetchall()
        return [Post(*row) for row in rows]

    def get_post(self, post_id: int) -> Post | None:
        with self._locked() as conn:
            row = conn.execute(
                "SELECT id, user_id, title, body FROM posts WHERE id = ?", (post_id,)
            ).fetchone()
        return None if row is None else Post(*row)

    def list_comments(self, post_id: int) -> list[Comment] | None:
        """Comments of a post, or None if the post does not exist."""
        with self._locked() as conn:
            if conn.execute("SELECT 1 FROM posts WHERE id = ?", (post_id,)).fetchone() is None:
                return None
            rows = conn.execute(
                "SELECT id, post_id, name, email, body FROM comments WHERE post_id = ? ORDER BY id",
                (post_id,),
            ).fetchall()
        return [Comment(*row) for row in rows]

"""Alembic migrations are the only way the schema is made outside tests: they must build exactly the
schema the models describe, on both databases."""
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, create_engine, make_url, text

from app import create_app
from tests.conftest import TEST_DATABASE_URL, _postgres_url


@pytest.fixture
def empty_database_url(db_kind, tmp_path):
    if db_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    base = make_url(_postgres_url())
    name = f"migrated_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# Alembic warns that it cannot reflect the expression indexes on SQLite: they are checked by name below.
@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning", "ignore::UserWarning")
def test_migrations_build_the_schema_of_the_models(empty_database_url, db_kind):
    from flask_migrate import upgrade

    from core.extensions import db

    assert db_kind == "sqlite" or TEST_DATABASE_URL
    app = create_app({"DATABASE_URL": empty_database_url, "APP_ENV": "testing"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": comparable})
            differences = compare_metadata(context, db.metadata)
            present = set(conn.execute(text(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'" if db_kind == "sqlite"
                else "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public'")).all())
        db.engine.dispose()
    assert differences == []
    # Alembic cannot compare indexes on expressions (the queue's): check they exist by name
    assert expression_indexes(db.metadata) <= present


def _has_expressions(index):
    return any(not isinstance(expression, Column) for expression in index.expressions)


def comparable(obj, name, type_, reflected, compare_to):
    if type_ == "index" and ((not reflected and _has_expressions(obj)) or
                             (reflected and compare_to is not None and _has_expressions(compare_to))):
        return False
    if type_ == "index" and reflected and compare_to is None and name in EXPRESSION_INDEX_NAMES:
        return False
    return True


def expression_indexes(metadata):
    return {(table.name, index.name) for table in metadata.tables.values() for index in table.indexes
            if _has_expressions(index)}


EXPRESSION_INDEX_NAMES = {"ix_complaints_queue", "ix_complaints_centre_state"}

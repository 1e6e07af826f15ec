"""Baseline: the tables cityserver made with `create_all` up to schema version 2 (before Alembic). A database made
then is stamped at this revision by `counterdesk-server migrate`, never re-created.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_uses",
        sa.Column("approval_id", sa.String(length=36), nullable=False),
        sa.Column("record_uuid", sa.String(length=36), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("approval_id"),
    )
    op.create_table(
        "approvals",
        sa.Column("approval_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("supervisor", sa.String(length=64), nullable=False),
        sa.Column("clerk", sa.String(length=64), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=16), nullable=False),
        sa.Column("case_uuid", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("approval_id"),
    )
    op.create_index(op.f("ix_approvals_case_uuid"), "approvals", ["case_uuid"], unique=False)
    op.create_table(
        "auth_challenges",
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nonce_hash"),
    )
    op.create_index(op.f("ix_auth_challenges_expires_at"), "auth_challenges", ["expires_at"], unique=False)
    op.create_table(
        "cases",
        sa.Column("case_uuid", sa.String(length=36), nullable=False),
        sa.Column("case_number", sa.String(length=64), nullable=False),
        sa.Column("receipt_number", sa.String(length=64), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("national_id", sa.String(length=10), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("pushed_by", sa.String(length=64), nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assigned_office", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("case_uuid"),
        sa.UniqueConstraint("case_number"),
    )
    op.create_index(op.f("ix_cases_assigned_office"), "cases", ["assigned_office"], unique=False)
    op.create_index(op.f("ix_cases_business_date"), "cases", ["business_date"], unique=False)
    op.create_index(op.f("ix_cases_device_id"), "cases", ["device_id"], unique=False)
    op.create_index("ix_cases_device_receipt", "cases", ["device_id", "receipt_number"], unique=True)
    op.create_index(op.f("ix_cases_national_id"), "cases", ["national_id"], unique=False)
    op.create_index(op.f("ix_cases_office_code"), "cases", ["office_code"], unique=False)
    op.create_table(
        "closures",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("closure_uuid", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("area_code", sa.String(length=8), nullable=False),
        sa.Column("announcement", sa.String(length=200), nullable=False),
        sa.Column("declared_by", sa.String(length=64), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("closure_uuid"),
        sa.UniqueConstraint("day", "area_code", name="uq_closures_day_area"),
    )
    op.create_index(op.f("ix_closures_area_code"), "closures", ["area_code"], unique=False)
    op.create_index(op.f("ix_closures_day"), "closures", ["day"], unique=False)
    op.create_table(
        "day_records",
        sa.Column("record_uuid", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("case_uuid", sa.String(length=36), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("once_key", sa.String(length=96), nullable=True),
        sa.PrimaryKeyConstraint("record_uuid"),
        sa.UniqueConstraint("once_key"),
    )
    op.create_index(op.f("ix_day_records_business_date"), "day_records", ["business_date"], unique=False)
    op.create_index(op.f("ix_day_records_case_uuid"), "day_records", ["case_uuid"], unique=False)
    op.create_index(op.f("ix_day_records_device_id"), "day_records", ["device_id"], unique=False)
    op.create_index(op.f("ix_day_records_office_code"), "day_records", ["office_code"], unique=False)
    op.create_table(
        "device_keys",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_id"),
    )
    op.create_index(op.f("ix_device_keys_device_id"), "device_keys", ["device_id"], unique=False)
    op.create_table(
        "device_ledgers",
        sa.Column("device_id", sa.String(length=16), nullable=False),
        sa.Column("ledger_id", sa.String(length=36), nullable=False),
        sa.Column("audit_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("audit_head", sa.String(length=64), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("device_id"),
    )
    op.create_table(
        "devices",
        sa.Column("device_id", sa.String(length=16), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enrolled_by", sa.String(length=64), nullable=False),
        sa.Column("client_version", sa.String(length=32), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("device_id"),
        sa.UniqueConstraint("public_key"),
    )
    op.create_index(op.f("ix_devices_office_code"), "devices", ["office_code"], unique=False)
    op.create_table(
        "enrolment_replacements",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    op.create_table(
        "enrolments",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("device_id", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    op.create_table(
        "lookup_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("lookup_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("case_uuid", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=48), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("id_masked", sa.String(length=10), nullable=False),
        sa.Column("id_digest", sa.String(length=64), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lookup_id"),
    )
    op.create_index(op.f("ix_lookup_audit_case_uuid"), "lookup_audit", ["case_uuid"], unique=False)
    op.create_index(op.f("ix_lookup_audit_id_digest"), "lookup_audit", ["id_digest"], unique=False)
    op.create_index("ix_lookup_audit_office_at", "lookup_audit", ["office_code", "at"], unique=False)
    op.create_index("ix_lookup_audit_user_at", "lookup_audit", ["username", "at"], unique=False)
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "office_closes",
        sa.Column("close_uuid", sa.String(length=36), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("explanations", sa.Text(), nullable=False),
        sa.Column("report_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("close_uuid"),
        sa.UniqueConstraint("office_code", "day", name="uq_office_closes_office_day"),
    )
    op.create_index(op.f("ix_office_closes_office_code"), "office_closes", ["office_code"], unique=False)
    op.create_table(
        "residents",
        sa.Column("national_id", sa.String(length=10), nullable=False),
        sa.Column("city_code", sa.String(length=8), nullable=False),
        sa.Column("records", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("national_id"),
    )
    op.create_index(op.f("ix_residents_city_code"), "residents", ["city_code"], unique=False)
    op.create_table(
        "review_lists",
        sa.Column("list_id", sa.String(length=36), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("list_id"),
    )
    op.create_table(
        "security_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_security_events_address"), "security_events", ["address"], unique=False)
    op.create_index(op.f("ix_security_events_at"), "security_events", ["at"], unique=False)
    op.create_index(op.f("ix_security_events_kind"), "security_events", ["kind"], unique=False)
    op.create_index(op.f("ix_security_events_username"), "security_events", ["username"], unique=False)
    op.create_table(
        "supervisor_keys",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=16), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_id"),
    )
    op.create_index(op.f("ix_supervisor_keys_device_id"), "supervisor_keys", ["device_id"], unique=False)
    op.create_index(op.f("ix_supervisor_keys_username"), "supervisor_keys", ["username"], unique=False)
    op.create_table(
        "users",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "case_arrivals",
        sa.Column("arrival_uuid", sa.String(length=36), nullable=False),
        sa.Column("case_uuid", sa.String(length=36), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("received", sa.Text(), nullable=False),
        sa.Column("missing", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_uuid"],
            ["cases.case_uuid"],
        ),
        sa.PrimaryKeyConstraint("arrival_uuid"),
    )
    op.create_index(op.f("ix_case_arrivals_case_uuid"), "case_arrivals", ["case_uuid"], unique=False)
    op.create_table(
        "case_steps",
        sa.Column("step_uuid", sa.String(length=36), nullable=False),
        sa.Column("case_uuid", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("owed", sa.Text(), nullable=False),
        sa.Column("owed_by", sa.Date(), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_uuid"],
            ["cases.case_uuid"],
        ),
        sa.PrimaryKeyConstraint("step_uuid"),
        sa.UniqueConstraint("seq"),
    )
    op.create_index(op.f("ix_case_steps_case_uuid"), "case_steps", ["case_uuid"], unique=False)
    op.create_table(
        "case_updates",
        sa.Column("update_uuid", sa.String(length=36), nullable=False),
        sa.Column("case_uuid", sa.String(length=36), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["case_uuid"],
            ["cases.case_uuid"],
        ),
        sa.PrimaryKeyConstraint("update_uuid"),
    )
    op.create_index(op.f("ix_case_updates_case_uuid"), "case_updates", ["case_uuid"], unique=False)
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("spent", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(op.f("ix_refresh_tokens_device_id"), "refresh_tokens", ["device_id"], unique=False)
    op.create_index(op.f("ix_refresh_tokens_family_id"), "refresh_tokens", ["family_id"], unique=False)
    op.create_table(
        "review_members",
        sa.Column("list_id", sa.String(length=36), nullable=False),
        sa.Column("id_digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["review_lists.list_id"],
        ),
        sa.PrimaryKeyConstraint("list_id", "id_digest"),
    )
    op.create_table(
        "status_events",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("case_uuid", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_uuid"],
            ["cases.case_uuid"],
        ),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(op.f("ix_status_events_case_uuid"), "status_events", ["case_uuid"], unique=False)
    op.create_table(
        "tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(op.f("ix_tokens_device_id"), "tokens", ["device_id"], unique=False)
    op.create_index(op.f("ix_tokens_family_id"), "tokens", ["family_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_tokens_family_id"), table_name="tokens")
    op.drop_index(op.f("ix_tokens_device_id"), table_name="tokens")
    op.drop_table("tokens")
    op.drop_index(op.f("ix_status_events_case_uuid"), table_name="status_events")
    op.drop_table("status_events")
    op.drop_table("review_members")
    op.drop_index(op.f("ix_refresh_tokens_family_id"), table_name="refresh_tokens")
    op.drop_index(op.f("ix_refresh_tokens_device_id"), table_name="refresh_tokens")
    op.drop_table("refresh_tokens")
    op.drop_index(op.f("ix_case_updates_case_uuid"), table_name="case_updates")
    op.drop_table("case_updates")
    op.drop_index(op.f("ix_case_steps_case_uuid"), table_name="case_steps")
    op.drop_table("case_steps")
    op.drop_index(op.f("ix_case_arrivals_case_uuid"), table_name="case_arrivals")
    op.drop_table("case_arrivals")
    op.drop_table("users")
    op.drop_index(op.f("ix_supervisor_keys_username"), table_name="supervisor_keys")
    op.drop_index(op.f("ix_supervisor_keys_device_id"), table_name="supervisor_keys")
    op.drop_table("supervisor_keys")
    op.drop_index(op.f("ix_security_events_username"), table_name="security_events")
    op.drop_index(op.f("ix_security_events_kind"), table_name="security_events")
    op.drop_index(op.f("ix_security_events_at"), table_name="security_events")
    op.drop_index(op.f("ix_security_events_address"), table_name="security_events")
    op.drop_table("security_events")
    op.drop_table("review_lists")
    op.drop_index(op.f("ix_residents_city_code"), table_name="residents")
    op.drop_table("residents")
    op.drop_index(op.f("ix_office_closes_office_code"), table_name="office_closes")
    op.drop_table("office_closes")
    op.drop_table("meta")
    op.drop_index("ix_lookup_audit_user_at", table_name="lookup_audit")
    op.drop_index("ix_lookup_audit_office_at", table_name="lookup_audit")
    op.drop_index(op.f("ix_lookup_audit_id_digest"), table_name="lookup_audit")
    op.drop_index(op.f("ix_lookup_audit_case_uuid"), table_name="lookup_audit")
    op.drop_table("lookup_audit")
    op.drop_table("enrolments")
    op.drop_table("enrolment_replacements")
    op.drop_index(op.f("ix_devices_office_code"), table_name="devices")
    op.drop_table("devices")
    op.drop_table("device_ledgers")
    op.drop_index(op.f("ix_device_keys_device_id"), table_name="device_keys")
    op.drop_table("device_keys")
    op.drop_index(op.f("ix_day_records_office_code"), table_name="day_records")
    op.drop_index(op.f("ix_day_records_device_id"), table_name="day_records")
    op.drop_index(op.f("ix_day_records_case_uuid"), table_name="day_records")
    op.drop_index(op.f("ix_day_records_business_date"), table_name="day_records")
    op.drop_table("day_records")
    op.drop_index(op.f("ix_closures_day"), table_name="closures")
    op.drop_index(op.f("ix_closures_area_code"), table_name="closures")
    op.drop_table("closures")
    op.drop_index(op.f("ix_cases_office_code"), table_name="cases")
    op.drop_index(op.f("ix_cases_national_id"), table_name="cases")
    op.drop_index("ix_cases_device_receipt", table_name="cases")
    op.drop_index(op.f("ix_cases_device_id"), table_name="cases")
    op.drop_index(op.f("ix_cases_business_date"), table_name="cases")
    op.drop_index(op.f("ix_cases_assigned_office"), table_name="cases")
    op.drop_table("cases")
    op.drop_index(op.f("ix_auth_challenges_expires_at"), table_name="auth_challenges")
    op.drop_table("auth_challenges")
    op.drop_index(op.f("ix_approvals_case_uuid"), table_name="approvals")
    op.drop_table("approvals")
    op.drop_table("approval_uses")

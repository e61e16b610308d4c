"""The seed service's ORM models, copied verbatim from the commit licensor started from
(its server/app/models.py, whose schema Store/Schema.swift keeps), so tests can build a database exactly as the Python
service did and read back what licensor writes with the service's own code.

usage: seed_models.py create URL      create both tables as the seed's `Base.metadata.create_all` does
       seed_models.py read URL        print every license and event as the seed's models read them (JSON lines)
"""
from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Optional

from sqlalchemy import (JSON, BigInteger, DateTime, Index, Integer, Numeric, String, UniqueConstraint, create_engine,
                        func, select, text)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

_JSON_TYPE = JSON().with_variant(JSONB(), "postgresql")
_PK_TYPE = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class License(Base):
    __tablename__ = "licenses"

    license_key: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String, nullable=False)
    email: Mapped[str] = mapped_column(String, nullable=False)
    tier: Mapped[str] = mapped_column(String, nullable=False)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    blob: Mapped[str] = mapped_column(String, nullable=False)
    source: Mapped[str] = mapped_column(String, nullable=False)
    source_order_id: Mapped[Optional[str]] = mapped_column(String, nullable=True)
    promotion: Mapped[Optional[str]] = mapped_column(String, nullable=True)
    amount_paid: Mapped[Optional[float]] = mapped_column(Numeric(10, 2), nullable=True)
    currency: Mapped[Optional[str]] = mapped_column(String(3), nullable=True, server_default=text("'USD'"))
    revoked_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    notes: Mapped[Optional[str]] = mapped_column(String, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        nullable=False,
        server_default=func.now(),
        onupdate=func.now(),
    )

    __table_args__ = (
        UniqueConstraint("source", "source_order_id", name="uq_licenses_source_order"),
        Index("ix_licenses_email_lower", func.lower(text("email"))),
        Index("ix_licenses_expires_active", "expires_at", postgresql_where=text("revoked_at IS NULL")),
    )


class GumroadEvent(Base):
    __tablename__ = "gumroad_events"

    id: Mapped[int] = mapped_column(_PK_TYPE, primary_key=True, autoincrement=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    event_type: Mapped[str] = mapped_column(String, nullable=False)
    order_id: Mapped[Optional[str]] = mapped_column(String, nullable=True)
    raw_payload: Mapped[dict] = mapped_column(_JSON_TYPE, nullable=False)
    processed: Mapped[bool] = mapped_column(server_default=text("false"), nullable=False)
    error: Mapped[Optional[str]] = mapped_column(String, nullable=True)

    __table_args__ = (
        Index("ix_gumroad_events_order_id", "order_id"),
        Index("ix_gumroad_events_unprocessed", "received_at", postgresql_where=text("processed = false")),
    )


def engine_for(url: str):
    # licensor's URLs → SQLAlchemy's: sqlite:PATH → sqlite:///PATH, postgres:// → postgresql+psycopg2://
    if url.startswith("sqlite:") and not url.startswith("sqlite:///"):
        url = "sqlite:///" + url[len("sqlite:"):]
    elif url.startswith("postgres://"):
        url = "postgresql+psycopg2://" + url[len("postgres://"):]
    return create_engine(url)


def main() -> None:
    command, url = sys.argv[1], sys.argv[2]
    engine = engine_for(url)
    if command == "create":
        Base.metadata.create_all(engine)
        with Session(engine) as session:  # a row the seed's service wrote before licensor took over
            session.add(GumroadEvent(event_type="sale", order_id="seed-sale", raw_payload={"sale_id": "seed-sale"}))
            session.commit()
    elif command == "read":
        with Session(engine) as session:
            for lic in session.scalars(select(License).order_by(License.license_key)):
                print(json.dumps({"table": "licenses", "license_key": lic.license_key, "email": lic.email,
                                  "tier": lic.tier, "issued_at": lic.issued_at.isoformat(),
                                  "expires_at": lic.expires_at.isoformat(), "amount_paid": str(lic.amount_paid),
                                  "currency": lic.currency, "source_order_id": lic.source_order_id,
                                  "blob": lic.blob[:10]}))
            for ev in session.scalars(select(GumroadEvent).order_by(GumroadEvent.id)):
                print(json.dumps({"table": "gumroad_events", "id": ev.id, "order_id": ev.order_id,
                                  "processed": ev.processed, "raw_payload": ev.raw_payload,
                                  "received_at": ev.received_at.isoformat()}))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()

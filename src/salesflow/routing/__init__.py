"""Routing: who in the sales department owns a lead, under four sales models.

See docs/routing.md.
"""

from salesflow.routing.models import AFTER_SALE, Role, SalesModel, owner, owner_of
from salesflow.routing.recommender import BusinessProfile, Recommendation, recommend_model

__all__ = [
    "AFTER_SALE",
    "BusinessProfile",
    "Recommendation",
    "Role",
    "SalesModel",
    "owner",
    "owner_of",
    "recommend_model",
]

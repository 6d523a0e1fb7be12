"""The public JSON/CSV API under /api/v1/ (DRF)."""

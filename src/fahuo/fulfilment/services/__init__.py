"""Writes for waves and parcels. Each public function is one transaction with keyword-only arguments."""

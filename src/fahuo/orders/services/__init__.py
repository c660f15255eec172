"""Writes to orders. Each public function is one transaction and takes keyword-only arguments."""

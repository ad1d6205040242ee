"""Use cases of the incidents domain."""

"""DynamoDB access of the incidents domain."""

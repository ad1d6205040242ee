"""DynamoDB access of the watch domain: the only modules of the domain that touch the table."""

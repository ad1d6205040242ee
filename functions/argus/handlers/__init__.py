"""One module per Lambda function; each is thin: parse the event, call one service, map errors."""

"""The assistant's runtime: model loading, toolkens, the decoding engine, the conversation log, the CLI."""

"""The API reference: the OpenAPI document built from the declared operations, and its pages."""

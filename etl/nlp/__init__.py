"""NLP stages: spaCy loading, custom components, entity and quote extraction."""

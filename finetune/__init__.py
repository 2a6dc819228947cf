"""Fine-tuning: datasets from the catalog, documents and feedback; adapter training and evaluation."""

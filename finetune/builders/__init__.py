"""Pure builders of training records, one module per source; `finetune.datasets` gathers them."""

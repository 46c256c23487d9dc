"""The charts of a lägesbild, drawn headless into PNG bytes."""

"""Where things are: the municipality's gazetteer, geocoding, areas."""

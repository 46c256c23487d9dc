"""A person's own pages in private: their observations, their data, their notices."""

"""The report conversation in private: steps, buttons, places, photos, prompts, privacy."""

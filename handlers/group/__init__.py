"""The coordinators' group: linking, cards, comments, interventions, lägesbilder, exports."""

"""The coordinators' work: groups, cards, statuses, comments, interventions, subscriptions."""

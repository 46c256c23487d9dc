"""The demo town Kvarnby: synthetic observations, interventions and police figures."""

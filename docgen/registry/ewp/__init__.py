"""Erasmus Without Paper: the network's XML for agreements (IIA) and learning agreements."""

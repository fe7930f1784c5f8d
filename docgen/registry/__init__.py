"""The registry: institutions (the home one and the partners), agreements, EWP exchange."""

"""Pure regulation logic: durations, travel, grants, selection, amounts in words."""

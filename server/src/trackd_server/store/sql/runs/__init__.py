"""The runs aggregate: runs with their tags and params, their creation and their search."""

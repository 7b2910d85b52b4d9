"""The experiments aggregate: experiments and their tags."""

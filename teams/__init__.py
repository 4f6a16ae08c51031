"""Teams: the small autonomous groups that own services, and their memberships."""

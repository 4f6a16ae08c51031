"""People's accounts: personal API tokens and sign-in protection.

Neither belongs to the catalog, the teams or the framework layer (``portal``): a token is a
person's credential, and a lockout protects a person's account, whatever they go on to do in
the portal. REST, GraphQL and git all authenticate through ``accounts.tokens``.
"""

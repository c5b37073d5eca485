"""Pages of the invitations app, one module per flow.

``join``: the public page a link opens; ``links``: the staff pages of links;
``join_requests``: the queue of join requests; ``dispatch``: bulk personal invitations.
"""

from portal.graphql.loaders import ByForeignKey, ById

from ..models import Membership, Team

team_by_id = ById(Team)
# Members are shown by name: their password hashes have no business in this process.
memberships_of_team = ByForeignKey(
    Membership, "team", select=("user",), defer=("user__password", "user__last_login")
)
